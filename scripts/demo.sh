#!/usr/bin/env bash
# The demo command: installs what is missing, builds interdict (Release) into
# build/ and runs `interdict demo` with the given arguments.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build

usage() {
  cat <<'EOF'
usage: scripts/demo.sh [DEMO ARGS...]

Installs the build dependencies if missing (scripts/deps.sh demo), builds
interdict in Release mode into build/ and runs `build/interdict demo` with
DEMO ARGS (see `build/interdict demo --help`).
EOF
}

die() {
  echo "demo.sh: $*" >&2
  exit 1
}

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  usage
  if [[ -x $BUILD/interdict ]]; then
    echo
    exec "$BUILD/interdict" demo --help
  fi
  exit 0
fi

cd "$ROOT"
"$ROOT/scripts/deps.sh" demo

mkdir -p "$BUILD"
log=$BUILD/demo-build.log
config=(-DCMAKE_BUILD_TYPE=Release -DINTERDICT_SANITIZE=OFF -DINTERDICT_FUZZ=OFF)
[[ -f $BUILD/CMakeCache.txt ]] || config+=(-G Ninja)

start=$SECONDS
if ! cmake -S . -B "$BUILD" "${config[@]}" >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  die "configure failed (full log: build/demo-build.log)"
fi

# Build only the binary; on a terminal show one line of progress that is
# overwritten as it goes, elsewhere stay quiet until done.
progress() {
  local line
  if [[ -t 2 ]]; then
    while IFS= read -r line; do
      echo "$line" >>"$log"
      if [[ $line =~ ^\[([0-9]+/[0-9]+)\] ]]; then
        printf '\r\033[Kbuilding interdict %s' "${BASH_REMATCH[1]}" >&2
      fi
    done
    printf '\r\033[K' >&2
  else
    cat >>"$log"
  fi
}
set +e
cmake --build "$BUILD" --target interdict 2>&1 | progress
rc=${PIPESTATUS[0]}
set -e
if ((rc != 0)); then
  first=$(grep -m 1 -nE 'error:|FAILED:' "$log" | cut -d: -f1 || true)
  if [[ -n $first ]]; then
    tail -n "+$first" "$log" | head -n 60 >&2
  else
    tail -n 40 "$log" >&2
  fi
  die "build failed (full log: build/demo-build.log)"
fi
[[ -x $BUILD/interdict ]] || die "build/interdict was not built"
if ((SECONDS - start > 1)); then
  echo "demo.sh: built build/interdict in $((SECONDS - start))s" >&2
fi

exec "$BUILD/interdict" demo "$@"
