#!/usr/bin/env bash
# The state-store benchmark: interdict's per-transfer graph path
# (bench_graph) on 1 and 10 million accounts, next to RocksDB's own db_bench
# readrandom and fillrandom on the same machine in the same run. Writes
# bench/results/graph.md. Usage: bench/graph.sh [--quick] [BUILD_DIR]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
quick=0
if [[ ${1:-} == --quick ]]; then
  quick=1
  shift
fi
BUILD=${1:-$ROOT/build}
BENCH=$BUILD/bench/bench_graph
OUT=$ROOT/bench/results/graph.md
WORK=$(mktemp -d /tmp/interdict-graph-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

die() {
  echo "graph.sh: $*" >&2
  exit 1
}

# Installs what it needs on first use, as the README's commands do.
"$ROOT/scripts/deps.sh" bench || die "could not install the benchmark's packages (scripts/deps.sh bench)"
command -v db_bench >/dev/null || die "db_bench not found after scripts/deps.sh bench"
if [[ ! -x $BENCH ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" --target bench_graph >/dev/null
fi

if ((quick)); then
  sizes=(200000)
  transfers=500000
else
  sizes=(1000000 10000000)
  transfers=2000000
fi

# RocksDB's own numbers for the same machine: one thread, 1M keys of the size
# of an account key, values the size of an account record, a cache that holds
# them all (readrandom is then the cached-read ceiling).
dbb() {
  db_bench --db="$WORK/dbbench" --num=1000000 --key_size=16 --value_size=200 \
    --cache_size=1073741824 --compression_type=lz4 --threads=1 --batch_size=1000 \
    --write_buffer_size=134217728 "$@" 2>/dev/null
}
echo "graph.sh: db_bench fillrandom + readrandom (1M keys)" >&2
dbb_out=$(dbb --benchmarks=fillrandom,readrandom)
fill=$(awk '/^fillrandom/ {print $5}' <<<"$dbb_out")
read=$(awk '/^readrandom/ {print $5}' <<<"$dbb_out")
[[ -n $fill && -n $read ]] || die "could not read db_bench's results:\n$dbb_out"

rows=()
for n in "${sizes[@]}"; do
  echo "graph.sh: bench_graph, $n accounts, $transfers transfers" >&2
  cache=$((n >= 10000000 ? 8192 : 2048))
  res=$("$BENCH" --dir "$WORK/g$n" --accounts "$n" --transfers "$transfers" --cache-mb "$cache")
  echo "$res" >&2
  get() { awk -v k="$1" 'index($0, k) == 1 {print $0}' <<<"$res" | grep -oE '[0-9]+(\.[0-9]+)?' | head -n 1; }
  path=$(get "per-transfer path")
  nowrite=$(get "without writes")
  miss=$(get "cache misses")
  rss=$(get "peak RSS")
  rows+=("| $n | $cache MB | $nowrite | $path | $miss % | $rss MB | $(awk -v a="$nowrite" -v b="$read" 'BEGIN {printf "%.2f", a / b}') |")
  rm -rf "$WORK/g$n"
done

mkdir -p "$(dirname "$OUT")"
{
  echo "# State store benchmark"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), by \`bench/graph.sh\`."
  echo "One thread. A transfer's graph work is: look both accounts up (cache, else a RocksDB"
  echo "MultiGet of three families), update totals, four rolling windows, the flow list and"
  echo "the edge to the counterparty. Checkpoints write every changed account, flow and edge"
  echo "with the offsets in one sorted WriteBatch every 50,000 transfers."
  echo
  echo "RocksDB's own \`db_bench\` on this machine in the same run (1M keys, 16-byte keys,"
  echo "200-byte values, batches of 1000): fillrandom **$fill** ops/s, readrandom **$read** ops/s."
  echo
  echo "| accounts | cache | lookups + updates (transfers/s) | including checkpoint writes (transfers/s) | cache misses | peak RSS | lookups+updates / db_bench readrandom |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "A transfer touches two accounts, so one transfer per second is at least two"
  echo "account reads: the ratio in the last column compares transfers with single reads."
} >"$OUT"
echo "graph.sh: wrote $OUT" >&2
cat "$OUT"
