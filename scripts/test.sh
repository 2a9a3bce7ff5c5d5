#!/usr/bin/env bash
# The test command: dependencies, the test broker, a sanitizer build, the
# whole ctest suite (unit, mock-cluster and real-broker scenarios, corpus
# replays), then a bounded fuzzing run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
  cat <<'EOF'
usage: scripts/test.sh [--quick | --no-fuzz] [--no-sanitize] [-R REGEX] [-j N]

Installs what is missing (scripts/deps.sh test), fetches the test broker
(scripts/kafka.sh install), builds with AddressSanitizer and
UndefinedBehaviorSanitizer into build-asan/, runs ctest (which starts and
stops the broker itself), then fuzzes each parser for $FUZZ_SECONDS
(default 30) seconds with scripts/fuzz.sh. Exits non-zero on any failure.

options:
  --quick, --no-fuzz  skip the fuzzing step
  --no-sanitize       plain Release build in build/ (as scripts/demo.sh)
  -R REGEX            run only the tests whose names match (ctest -R)
  -j N                parallel tests (default 2)

environment:
  KAFKA_PORT, KAFKA_CONTROLLER_PORT  the test broker's ports (default 39092,
                      39093): the broker and the tests both use them, so two
                      checkouts can test side by side
EOF
}

die() {
  echo "test.sh: $*" >&2
  exit 1
}

fuzz=1
sanitize=1
regex=
jobs=2
while (($#)); do
  case $1 in
    --quick | --no-fuzz) fuzz=0 ;;
    --no-sanitize) sanitize=0 ;;
    -R)
      [[ $# -ge 2 ]] || die "-R needs a regular expression"
      regex=$2
      shift
      ;;
    -j)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "-j needs a number"
      jobs=$2
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done

cd "$ROOT"

steps=()
step_start=$SECONDS
step() { # NAME: starts a step, printing a header
  step_name=$1
  step_start=$SECONDS
  echo "==> $1"
}
done_step() { # [NOTE]
  steps+=("$(printf '%-10s ok     %4ss  %s' "$step_name" "$((SECONDS - step_start))" "${1:-}")")
}

summary() {
  local rc=$1
  echo
  echo "==> summary"
  local s
  for s in "${steps[@]}"; do echo "  $s"; done
  if ((rc != 0)) && [[ -n ${step_name:-} ]]; then
    printf '  %-10s FAILED %4ss\n' "$step_name" "$((SECONDS - step_start))"
  fi
  if [[ -n ${counts:-} ]]; then
    echo "tests: $counts"
  fi
}

# The broker must not outlive the run, whatever ends it: ctest's fixture
# stops it on a normal run, this trap on failure or interruption.
on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  if ((broker_touched)); then
    scripts/kafka.sh stop >/dev/null 2>&1 || echo "test.sh: could not stop the test broker (scripts/kafka.sh stop)" >&2
  fi
  summary "$rc"
  exit "$rc"
}
broker_touched=0
counts=
step_name=
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step deps
scripts/deps.sh test
done_step

step broker
scripts/kafka.sh install
# A broker left by an earlier run (killed with SIGKILL) would carry its
# topics into this one: start the suite on a fresh one.
broker_touched=1
if scripts/kafka.sh status >/dev/null 2>&1; then
  echo "test.sh: stopping the running test broker so the suite starts on a fresh one"
  scripts/kafka.sh stop
fi
done_step "Apache Kafka $(sed -n 's/^KAFKA_VERSION=//p' scripts/kafka.sh) jars ready"

if ((sanitize)); then
  build="build-asan"
  config=(-DCMAKE_BUILD_TYPE=Debug -DINTERDICT_SANITIZE=ON -DINTERDICT_FUZZ=OFF -DINTERDICT_TESTS=ON)
  what="Debug, ASan+UBSan"
else
  build=build
  config=(-DCMAKE_BUILD_TYPE=Release -DINTERDICT_SANITIZE=OFF -DINTERDICT_FUZZ=OFF -DINTERDICT_TESTS=ON)
  what="Release"
fi
# The tests reach the broker that kafka.sh starts, on KAFKA_PORT as it does.
config+=(-DKAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-39092}")
step build
[[ -f $build/CMakeCache.txt ]] || config+=(-G Ninja)
cmake -S . -B "$build" "${config[@]}" >/dev/null
cmake --build "$build"
done_step "$build/ ($what)"

if ((sanitize)); then
  # The optimised build the demo uses warns about things -O0 does not see
  # (-Werror): compile it too, so the README's demo command cannot break.
  step release
  rel=(-DCMAKE_BUILD_TYPE=Release -DINTERDICT_SANITIZE=OFF -DINTERDICT_FUZZ=OFF -DINTERDICT_TESTS=ON)
  [[ -f build/CMakeCache.txt ]] || rel+=(-G Ninja)
  cmake -S . -B build "${rel[@]}" >/dev/null
  cmake --build build
  done_step "build/ (Release, compiled only)"
fi

step ctest
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [[ -f tests/lsan.supp && -z ${LSAN_OPTIONS:-} ]]; then
  export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
fi
ctest_args=(--test-dir "$build" --output-on-failure -j "$jobs" --no-tests=error)
[[ -n $regex ]] && ctest_args+=(-R "$regex")
mkdir -p "$build"
ctest_log=$build/ctest.log
rc=0
ctest "${ctest_args[@]}" 2>&1 | tee "$ctest_log" || rc=$?
# "100% tests passed, 0 tests failed out of 42"
if line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$ctest_log" | tail -n 1); then
  failed=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  counts="$((total - failed)) passed, $failed failed"
fi
((rc == 0)) || die "ctest failed (log: $ctest_log)"
done_step "${counts:-}"

if ((fuzz)); then
  step fuzz
  scripts/fuzz.sh
  done_step "${FUZZ_SECONDS:-30}s per harness"
fi
step_name=
