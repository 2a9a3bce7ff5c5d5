#!/usr/bin/env bash
# Installs the Debian 12 packages interdict needs, and only those missing:
# with everything present it asks dpkg once and returns.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/deps.sh [--check] [GROUP...]

Installs the Debian packages a group needs (apt-get, as root or with sudo).
Does nothing, quickly, when they are all installed.

groups:
  build   compiler, CMake, Ninja and the libraries interdict links
  demo    what scripts/demo.sh needs (= build)
  test    build + the test broker (Java 17, Maven, kcat), rocksdb-tools,
          clang with libFuzzer and the sanitizer runtimes, clang-format,
          graphviz, headless Chromium, tzdata and openssl for the console
  bench   build + the test broker, graphviz and gnuplot for the plots,
          rocksdb-tools for db_bench's ceiling
  profile perf, for bench/run.sh --profile
  all     everything (the default)

options:
  --check   list what is missing and exit 1 if anything is, install nothing
EOF
}

die() {
  echo "deps.sh: $*" >&2
  exit 1
}

BUILD=(build-essential cmake ninja-build pkg-config librdkafka-dev librocksdb-dev
  libjemalloc-dev libjansson-dev libcmocka-dev libmicrohttpd-dev)
BROKER=(kcat maven java17)
# The console's tests: Graphviz draws its pictures, headless Chromium drives
# its pages (with fonts for the screenshots), tzdata backs console.timezone,
# openssl makes a certificate for the TLS test.
TEST=(rocksdb-tools clang clang-format libclang-rt-14-dev python3-yaml graphviz chromium
  chromium-driver fonts-dejavu-core tzdata openssl)
BENCH=(graphviz gnuplot-nox rocksdb-tools)
PROFILE=(linux-perf)

check=0
groups=()
while (($#)); do
  case $1 in
    --check) check=1 ;;
    -h | --help) usage; exit 0 ;;
    build | demo | test | bench | profile | all) groups+=("$1") ;;
    *) die "unknown group or option '$1' (see --help)" ;;
  esac
  shift
done
((${#groups[@]})) || groups=(all)

wanted=()
for g in "${groups[@]}"; do
  case $g in
    build | demo) wanted+=("${BUILD[@]}") ;;
    test) wanted+=("${BUILD[@]}" "${BROKER[@]}" "${TEST[@]}") ;;
    bench) wanted+=("${BUILD[@]}" "${BROKER[@]}" "${BENCH[@]}") ;;
    profile) wanted+=("${PROFILE[@]}") ;;
    all) wanted+=("${BUILD[@]}" "${BROKER[@]}" "${TEST[@]}" "${BENCH[@]}") ;;
  esac
done
mapfile -t wanted < <(printf '%s\n' "${wanted[@]}" | sort -u)

have_java17() {
  local j
  for j in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
    [[ -x $j ]] || continue
    if "$j" -XshowSettings:properties -version 2>&1 |
      grep -qE '^ *java\.specification\.version = 17$'; then
      return 0
    fi
  done
  return 1
}

# One dpkg query for all packages; "ii" is installed and configured.
declare -A status=()
real=()
for p in "${wanted[@]}"; do
  [[ $p == java17 ]] || real+=("$p")
done
while read -r name abbrev; do
  status[${name%%:*}]=$abbrev
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${real[@]}" 2>/dev/null || true)

missing=()
for p in "${wanted[@]}"; do
  case $p in
    java17) have_java17 || missing+=(openjdk-17-jre-headless) ;;
    # Tools that may come from elsewhere than a Debian package count if found.
    maven) [[ ${status[$p]:-} == ii* ]] || command -v mvn >/dev/null || missing+=("$p") ;;
    cmake) [[ ${status[$p]:-} == ii* ]] || command -v cmake >/dev/null || missing+=("$p") ;;
    ninja-build) [[ ${status[$p]:-} == ii* ]] || command -v ninja >/dev/null || missing+=("$p") ;;
    *) [[ ${status[$p]:-} == ii* ]] || missing+=("$p") ;;
  esac
done

if ((${#missing[@]} == 0)); then
  exit 0
fi
if ((check)); then
  echo "deps.sh: missing: ${missing[*]}" >&2
  exit 1
fi

command -v apt-get >/dev/null || die "apt-get not found: install by hand: ${missing[*]}"
sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"
  sudo=(sudo)
fi

echo "deps.sh: installing ${missing[*]}" >&2
start=$SECONDS
apt_get() {
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
    -o Dpkg::Use-Pty=0 -o APT::Color=0 "$@"
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! apt_get update >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  die "apt-get update failed"
fi
if ! apt_get install --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  die "apt-get install failed for: ${missing[*]}"
fi
echo "deps.sh: installed ${#missing[@]} package(s) in $((SECONDS - start))s" >&2
