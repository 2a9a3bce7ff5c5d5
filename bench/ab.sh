#!/usr/bin/env bash
# bench/ab.sh - an A/B of two interdict binaries on one preloaded stream.
#
# Preloads one stream into a topic set on the test broker, then screens it
# with binary A and binary B in turn (A B A B ...), each run with a fresh
# consumer group, state directory and output topics, and prints every run's
# figures, the medians and the ratio A/B pair by pair. Both sides must give
# the same freeze requests and dead letters: a run that differs is reported.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<'EOF'
usage: bench/ab.sh --a BINARY --b BINARY [options]

  --a BINARY          interdict binary A (the change)
  --b BINARY          interdict binary B (the baseline)
  --rounds N          pairs of runs (default 3)
  --accounts N        accounts of the stream (default 200000)
  --transfers N       transfers of the stream (default 1000000)
  --partitions N      partitions of the transfers topic (default 8)
  --workers N         -X workers=N for both (default 2)
  --profile P         generator profile, realistic or classic (default realistic)
  --gen BINARY        interdict-gen (default build/bench/interdict-gen)
  -X KEY=VALUE        configuration for both sides (repeatable)
  --keep              keep the work directory under /tmp
  -h, --help          this text

Each run is `interdict run --until-idle 2s`; transfers/s is the transfers
screened over the run's wall time minus the idle wait (so start-up, loading
the account tables and joining the group count against it); CPU is the
process's user + system time per transfer. The broker is scripts/kafka.sh's
(started if not running, stopped again at the end if so); the machine's
other load is not controlled: alternating the two sides is what keeps the
ratio meaningful.
EOF
}

die() {
  echo "ab.sh: $*" >&2
  exit 1
}

A= B= rounds=3 accounts=200000 transfers=1000000 parts=8 workers=2 profile=realistic keep=0
GEN=$ROOT/build/bench/interdict-gen
xs=()
while (($#)); do
  case $1 in
  --a) A=$2; shift ;;
  --b) B=$2; shift ;;
  --rounds) rounds=$2; shift ;;
  --accounts) accounts=$2; shift ;;
  --transfers) transfers=$2; shift ;;
  --partitions) parts=$2; shift ;;
  --workers) workers=$2; shift ;;
  --profile) profile=$2; shift ;;
  --gen) GEN=$2; shift ;;
  -X) xs+=(-X "$2"); shift ;;
  --keep) keep=1 ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done
[[ -x $A && -x $B ]] || { usage >&2; die "--a and --b must name interdict binaries"; }
[[ -x $GEN ]] || die "no interdict-gen at $GEN (build first, or --gen)"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive number"

"$ROOT/scripts/deps.sh" bench >/dev/null || die "scripts/deps.sh bench failed"
BROKERS=127.0.0.1:${KAFKA_PORT:-39092}
WORK=$(mktemp -d /tmp/interdict-ab.XXXXXX)
RUN_ID=ab$(date +%s)$$
started=0
cleanup() {
  ((started)) && "$ROOT/scripts/kafka.sh" stop >/dev/null 2>&1 || true
  ((keep)) || rm -rf "$WORK"
}
trap cleanup EXIT
if ! "$ROOT/scripts/kafka.sh" status >/dev/null 2>&1; then
  "$ROOT/scripts/kafka.sh" start >"$WORK/kafka.log" 2>&1 || { cat "$WORK/kafka.log" >&2; die "scripts/kafka.sh start failed"; }
  started=1
fi

inputs() { # the input topics, shared by every run
  local p=$RUN_ID
  printf '%s\n' -X "brokers=$BROKERS" -X "topic.transfers=$p-tx" -X "topic.accounts=$p-acc" \
    -X "topic.watchlist=$p-wl" -X "topic.reports=$p-rep" -X "topic.allowlist=$p-al" \
    -X "topic.verdicts=$p-vd" -X "topic.partitions=$parts"
}
mapfile -t IN < <(inputs)

echo "preloading $transfers transfers over $accounts accounts ($profile) on $parts partitions" >&2
"$B" topics "${IN[@]}" -X "topic.interceptions=$RUN_ID-int" -X "topic.deadletter=$RUN_ID-dl" \
  >"$WORK/topics.log" 2>&1 || { cat "$WORK/topics.log" >&2; die "interdict topics failed"; }
"$GEN" "${IN[@]}" --brokers "$BROKERS" --profile "$profile" \
  --accounts "$accounts" --transfers "$transfers" --seed 20261204 --now "$(date -u +%Y-%m-%dT%H:00:00Z)" \
  --out-dir "$WORK/truth" >"$WORK/gen.log" 2>&1 || { tail -n 5 "$WORK/gen.log" >&2; die "interdict-gen failed"; }

metric() { # FILE NAME -> the sum of the metric's samples
  awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%d\n", s }' "$1"
}

# One run: prints "rate cpu_us requests deadletters".
run_one() { # SIDE BINARY N
  local name=$1-$3 out=$RUN_ID-$1-$3
  "$2" topics "${IN[@]}" -X "topic.interceptions=$out-int" -X "topic.deadletter=$out-dl" \
    >>"$WORK/topics.log" 2>&1 || die "interdict topics failed for $name"
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/$name.time" "$2" run "${IN[@]}" "${xs[@]}" \
    -X "topic.interceptions=$out-int" -X "topic.deadletter=$out-dl" -X "group.id=$out" \
    -X "instance.id=$out" -X "state.dir=$WORK/state-$name" -X "workers=$workers" \
    -X metrics.listen=off --until-idle 2s --final-metrics "$WORK/$name.prom" \
    >"$WORK/$name.log" 2>&1 || { tail -n 20 "$WORK/$name.log" >&2; die "run $name failed"; }
  rm -rf "$WORK/state-$name"
  local n req dl
  n=$(metric "$WORK/$name.prom" interdict_transfers_screened_total)
  req=$(metric "$WORK/$name.prom" interdict_freeze_requests_total)
  dl=$(metric "$WORK/$name.prom" interdict_deadletters_total)
  ((n > 0)) || die "run $name screened nothing"
  read -r wall user sys rss <"$WORK/$name.time"
  awk -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$req" -v d="$dl" -v m="$rss" \
    'BEGIN { printf "%.0f %.2f %d %d %d %d\n", n / (w - 2), (u + s) * 1e6 / n, r, d, n, m / 1024 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-6s %-3s %12s %14s %9s %12s %14s\n' round side transfers/s "CPU µs/transfer" requests "dead letters" "peak RSS (MB)"
: >"$WORK/pairs"
for ((r = 1; r <= rounds; r++)); do
  read -r ra ca qa da na ma < <(run_one A "$A" "$r")
  printf '%-6s %-3s %12s %14s %9s %12s %14s\n' "$r" A "$ra" "$ca" "$qa" "$da" "$ma"
  read -r rb cb qb db nb mb < <(run_one B "$B" "$r")
  printf '%-6s %-3s %12s %14s %9s %12s %14s\n' "$r" B "$rb" "$cb" "$qb" "$db" "$mb"
  [[ $qa == "$qb" && $da == "$db" && $na == "$nb" ]] ||
    echo "round $r: the two sides differ (A $na screened, $qa requests, $da dead letters; B $nb, $qb, $db)"
  echo "$ra $rb $ca $cb" >>"$WORK/pairs"
done
ra=$(cut -d' ' -f1 "$WORK/pairs" | median)
rb=$(cut -d' ' -f2 "$WORK/pairs" | median)
ca=$(cut -d' ' -f3 "$WORK/pairs" | median)
cb=$(cut -d' ' -f4 "$WORK/pairs" | median)
ratio=$(awk '{ print $1 / $2 }' "$WORK/pairs" | median)
cratio=$(awk '{ print $3 / $4 }' "$WORK/pairs" | median)
echo "median A: $ra transfers/s, $ca µs CPU per transfer"
echo "median B: $rb transfers/s, $cb µs CPU per transfer"
printf 'median of the pair ratios A/B: throughput %.3f, CPU per transfer %.3f\n' "$ratio" "$cratio"
