#!/usr/bin/env bash
# Bounded libFuzzer runs of every parser harness (tests/fuzz/fuzz_<parser>.c),
# built with clang, AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build-fuzz
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
MAX_LEN=4096

usage() {
  cat <<EOF
usage: scripts/fuzz.sh [--seconds N] [--merge] [PARSER...]

Builds the libFuzzer harnesses into build-fuzz/ (clang, -DINTERDICT_FUZZ=ON)
and runs each for a bounded time, seeded from a copy of its kept corpus
tests/fuzz/corpus/<parser>/. Fails if a harness finds a crash, a leak or a
timeout, and prints the path of the input that reproduces it.

options:
  --seconds N   time per harness (default \$FUZZ_SECONDS or 30)
  --merge       merge new interesting inputs back into tests/fuzz/corpus/
                (libFuzzer -merge=1: only inputs that add coverage)
  PARSER...     fuzz only these (e.g. transfer_json); default: all harnesses
EOF
}

die() {
  echo "fuzz.sh: $*" >&2
  exit 1
}

merge=0
only=()
while (($#)); do
  case $1 in
    --seconds)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "--seconds needs a number"
      FUZZ_SECONDS=$2
      shift
      ;;
    --merge) merge=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) only+=("${1#fuzz_}") ;;
  esac
  shift
done
[[ $FUZZ_SECONDS =~ ^[0-9]+$ ]] || die "FUZZ_SECONDS must be a number of seconds"

cd "$ROOT"
parsers=()
for src in tests/fuzz/fuzz_*.c; do
  [[ -e $src ]] || continue
  p=$(basename "$src" .c)
  parsers+=("${p#fuzz_}")
done
if ((${#parsers[@]} == 0)); then
  echo "fuzz.sh: no harnesses yet (tests/fuzz/fuzz_*.c): nothing to fuzz"
  exit 0
fi
if ((${#only[@]})); then
  for p in "${only[@]}"; do
    [[ -f tests/fuzz/fuzz_$p.c ]] || die "no harness tests/fuzz/fuzz_$p.c"
  done
  parsers=("${only[@]}")
fi

command -v clang >/dev/null || die "clang not found (run scripts/deps.sh test)"

# --- build -----------------------------------------------------------------
targets=()
for p in "${parsers[@]}"; do targets+=("fuzz_$p"); done
mkdir -p "$BUILD"
log=$BUILD/fuzz-build.log
configure=(cmake -S . -B "$BUILD" -DINTERDICT_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug
  "-DCMAKE_C_FLAGS_DEBUG=-g -O1")
[[ -f $BUILD/CMakeCache.txt ]] || configure+=(-G Ninja -DCMAKE_C_COMPILER=clang)
echo "fuzz.sh: building ${targets[*]} (clang, ASan+UBSan+libFuzzer)"
if ! { CC=clang "${configure[@]}" && cmake --build "$BUILD" --target "${targets[@]}"; } \
  >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  die "fuzz build failed (full log: ${log#"$ROOT"/})"
fi

# --- run -------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/interdict-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts=$BUILD/artifacts
mkdir -p "$artifacts"

# UBSan reports count as crashes; leaks too (libFuzzer checks them itself).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for p in "${parsers[@]}"; do
  bin=$BUILD/tests/fuzz/fuzz_$p
  [[ -x $bin ]] || die "harness binary $bin was not built"
  seed=tests/fuzz/corpus/$p
  corpus=$work/corpus/$p
  mkdir -p "$corpus" "$artifacts/$p"
  if [[ -d $seed ]]; then cp -R "$seed/." "$corpus/"; fi
  nseed=$(find "$corpus" -type f | wc -l)
  args=("-max_len=$MAX_LEN" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048
    -print_final_stats=1 -artifact_prefix="$artifacts/$p/")
  [[ -f tests/fuzz/$p.dict ]] && args+=(-dict="tests/fuzz/$p.dict")
  out=$work/$p.log
  # Only artifacts of this run count.
  find "$artifacts/$p" -type f -delete
  printf 'fuzz.sh: %-24s %ss, %s seed input(s) ... ' "$p" "$FUZZ_SECONDS" "$nseed"
  if "$bin" "${args[@]}" "$corpus" >"$out" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+' "$out" | tail -n 1 || true)
    echo "ok (${execs:-?} runs, ${cov:-cov: ?}, corpus $(find "$corpus" -type f | wc -l))"
  else
    echo "FAILED"
    pat='^==[0-9]+==ERROR|runtime error:|ERROR: libFuzzer'
    first=$(grep -m 1 -nE "$pat" "$out" | cut -d: -f1 || true)
    if [[ -n $first ]]; then
      tail -n "+$first" "$out" | head -n 40 >&2
    else
      tail -n 40 "$out" >&2
    fi
    repro=$(find "$artifacts/$p" -type f -printf '%T@ %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)
    if [[ -n $repro ]]; then
      echo "fuzz.sh: reproduce with: ${bin#"$ROOT"/} ${repro#"$ROOT"/}" >&2
      echo "fuzz.sh: keep it as a regression test: cp ${repro#"$ROOT"/} $seed/" >&2
    else
      echo "fuzz.sh: no reproducer written; full output above" >&2
    fi
    failed+=("$p")
    continue
  fi
  if ((merge)); then
    mkdir -p "$seed"
    before=$(find "$seed" -type f | wc -l)
    if ! "$bin" -merge=1 "-max_len=$MAX_LEN" "$seed" "$corpus" >"$work/$p.merge.log" 2>&1; then
      tail -n 20 "$work/$p.merge.log" >&2
      die "merge into $seed failed"
    fi
    echo "fuzz.sh: $p: merged $(($(find "$seed" -type f | wc -l) - before)) new input(s) into $seed"
  fi
done

if ((${#failed[@]})); then
  die "${#failed[@]} of ${#parsers[@]} harness(es) failed: ${failed[*]}"
fi
echo "fuzz.sh: ${#parsers[@]} harness(es) ran ${FUZZ_SECONDS}s each, no crash"
