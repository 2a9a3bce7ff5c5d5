#!/usr/bin/env bash
# The end-to-end benchmark: interdict screening a preloaded and a paced
# stream on the real test broker (scripts/kafka.sh), next to a plain
# consumer's ceiling and RocksDB's db_bench on the same machine. Measures
# throughput by worker threads, alert latency at fixed offered rates,
# detection precision and recall against the generator's ground truth, and
# peak memory by population; writes bench/results/<date>-<label>.md, its
# plots and bench/results/latest.md. With --detection, only the detection
# steps. See bench/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
invocation="bench/run.sh${*:+ $*}"

usage() {
  cat <<'EOF'
usage: bench/run.sh [--quick | --full] [--detection] [options]

Runs interdict's end-to-end benchmark on the test broker (started by
scripts/kafka.sh if it is not running, and stopped again at the end if so)
and writes a Markdown report with plots.

sizes:
  (default)          1,000,000 transfers over 200,000 accounts (a few minutes
                     at today's speed); memory also at 1,000,000 accounts
  --full             5,000,000 transfers over 1,000,000 accounts; memory also
                     at 200,000 accounts
  --quick            100,000 transfers over 20,000 accounts, short latency
                     steps: a smoke run of every step (about two minutes)
  --detection        detection only: the preloaded 8-partition runs and the
                     1-partition run with bench_detect, no ceilings, latency,
                     memory or plots; 2,000,000 transfers over 100,000
                     accounts (quick: 200,000 over 20,000; full: as --full),
                     workers 2 unless --workers says otherwise

options:
  --label NAME       name of the report: <out>/<date>-NAME.md (default: the
                     size: default, full or quick)
  --build DIR        build directory (default: build); configured as Release
                     and built if needed
  --out DIR          where reports and plots go (default: bench/results)
  --workers "1 2 4"  worker-thread counts for the throughput runs
  --step-seconds N   length of each latency step (default 40, quick 6)
  --warmup-seconds N requests triggered in the first N seconds of a latency
                     step are left out of its percentiles (default 5, quick 1)
  --fast-commit DUR  one more latency step at half the maximum rate with
                     -X commit.interval=DUR (default 25ms; off to skip)
  --seed N           generator seed (default 20261123)
  --gen-profile P    the generator's profile: realistic (default: small, slow
                     attempts of every typology and labelled look-alikes over
                     28 days) or classic (the wide, fast patterns over 3 days
                     of the earlier reports)
  --no-profile       skip the profiled run: by default perf record (DWARF call
                     graphs) follows one extra screening run (the best worker
                     count) for the CPU budget by stage and where the time goes
  --keep             keep the work directory (logs, metrics, samples) and
                     the benchmark's topics
  -h, --help         this help

environment:
  KAFKA_PORT         the test broker's port (default 39092), as scripts/kafka.sh

Exit status: 0 when every step ran (whether or not the floors were met: the
report says), 1 on a failure, 2 on a usage error.
EOF
}

die() {
  echo "run.sh: $*" >&2
  exit 1
}

log() {
  echo "run.sh: $*" >&2
}

# --- options ------------------------------------------------------------------

size=default
label=
build=$ROOT/build
out=$ROOT/bench/results
workers_list="1 2 4"
step_seconds=
warmup_seconds=
fast_commit=25ms
seed=20261123
profile=1
keep=0
detection_only=0
gen_profile=realistic
workers_given=
while (($#)); do
  case $1 in
    --quick) size=quick ;;
    --full) size=full ;;
    --detection) detection_only=1 ;;
    --gen-profile) gen_profile=${2:?--gen-profile needs realistic or classic}; shift ;;
    --label) label=${2:?--label needs a value}; shift ;;
    --build) build=${2:?--build needs a directory}; shift ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    --workers) workers_list=${2:?--workers needs a list}; workers_given=1; shift ;;
    --step-seconds) step_seconds=${2:?--step-seconds needs a number}; shift ;;
    --warmup-seconds) warmup_seconds=${2:?--warmup-seconds needs a number}; shift ;;
    --fast-commit) fast_commit=${2:?--fast-commit needs a duration or off}; shift ;;
    --seed) seed=${2:?--seed needs a number}; shift ;;
    --profile) profile=1 ;; # the default; kept for old command lines
    --no-profile) profile=0 ;;
    --keep) keep=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $label =~ ^[A-Za-z0-9._-]*$ ]] || { echo "run.sh: --label: letters, digits, . _ - only" >&2; exit 2; }
[[ $seed =~ ^[0-9]+$ ]] || { echo "run.sh: --seed: not a number: $seed" >&2; exit 2; }
[[ $gen_profile == realistic || $gen_profile == classic ]] ||
  { echo "run.sh: --gen-profile: realistic or classic, not $gen_profile" >&2; exit 2; }
[[ -z $step_seconds || $step_seconds =~ ^[1-9][0-9]*$ ]] ||
  { echo "run.sh: --step-seconds: not a positive number: $step_seconds" >&2; exit 2; }
[[ -z $warmup_seconds || $warmup_seconds =~ ^[0-9]+$ ]] ||
  { echo "run.sh: --warmup-seconds: not a number: $warmup_seconds" >&2; exit 2; }
[[ $fast_commit == off || $fast_commit =~ ^[1-9][0-9]*(ms|s)$ ]] ||
  { echo "run.sh: --fast-commit: a duration such as 25ms, or off: $fast_commit" >&2; exit 2; }
for w in $workers_list; do
  [[ $w =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --workers: not a positive number: $w" >&2; exit 2; }
done
[[ -n $label ]] || label=$size
((detection_only == 0)) || [[ $label != "$size" ]] || label=$size-detection

case $size in
  quick)
    accounts=20000 transfers=100000 mem_pops="20000" mem_transfers=100000
    idle=3 dbb_keys=100000
    step_seconds=${step_seconds:-6}
    warmup_seconds=${warmup_seconds:-1}
    ;;
  full)
    accounts=1000000 transfers=5000000 mem_pops="200000 1000000" mem_transfers=1000000
    idle=5 dbb_keys=1000000
    step_seconds=${step_seconds:-40}
    warmup_seconds=${warmup_seconds:-5}
    ;;
  *)
    accounts=200000 transfers=1000000 mem_pops="200000 1000000" mem_transfers=1000000
    idle=5 dbb_keys=1000000
    step_seconds=${step_seconds:-40}
    warmup_seconds=${warmup_seconds:-5}
    ;;
esac
if ((detection_only)); then
  case $size in
    quick) accounts=20000 transfers=200000 ;;
    full) ;;
    *) accounts=100000 transfers=2000000 ;;
  esac
  [[ -n $workers_given ]] || workers_list=2
fi
# The generator's timeline: the profile's default.
duration_days=28
[[ $gen_profile == realistic ]] || duration_days=3
partitions=8
latency_pcts="25 50 75"
# Latency steps: the offered percentages at the default commit.interval, and
# half the maximum again with a short one (suffix f).
latency_steps=$latency_pcts
[[ $fast_commit == off ]] || latency_steps+=" 50f"

# --- tools ----------------------------------------------------------------------

# Like the README's two commands, the benchmark installs what it lacks.
"$ROOT/scripts/deps.sh" bench || die "could not install the benchmark's packages (scripts/deps.sh bench)"
if ((profile)); then
  "$ROOT/scripts/deps.sh" profile || die "could not install perf for the CPU budget (scripts/deps.sh profile; --no-profile skips it)"
fi
have_gnuplot=1
command -v gnuplot >/dev/null || have_gnuplot=0
have_dbb=1
command -v db_bench >/dev/null || have_dbb=0
if [[ $size != quick ]] && ((detection_only == 0)); then
  ((have_gnuplot)) || die "gnuplot not found after scripts/deps.sh bench"
  ((have_dbb)) || die "db_bench not found after scripts/deps.sh bench"
fi

targets=(interdict interdict-gen bench_consume bench_watch bench_latency bench_detect bench_topics)
if [[ ! -f $build/build.ninja && ! -f $build/Makefile ]]; then
  log "configuring $build (Release)"
  cmake -S "$ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
log "building ${targets[*]} in $build"
cmake --build "$build" --target "${targets[@]}" >/dev/null || die "the build failed"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
[[ $build_type == Release || $size == quick ]] ||
  log "warning: $build is a $build_type build; numbers are meant for Release"
IX=$build/interdict
GEN=$build/bench/interdict-gen
BB=$build/bench

# --- work area, broker, cleanup ----------------------------------------------------

WORK=$(mktemp -d /tmp/interdict-bench-XXXXXX)
RUN_ID=bench$(date +%s)$$
started_broker=0
bg_pids=()

cleanup() {
  local rc=$?
  local p
  for p in "${bg_pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${bg_pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  if ((keep == 0)) && [[ -n ${BROKERS:-} ]] && ((started_broker == 0)); then
    "$BB/bench_topics" --brokers "$BROKERS" --delete-prefix "$RUN_ID-" >/dev/null 2>&1 || true
  fi
  if ((started_broker)); then
    log "stopping the broker this run started"
    "$ROOT/scripts/kafka.sh" stop >/dev/null 2>&1 || log "warning: scripts/kafka.sh stop failed"
  fi
  if ((keep)); then
    log "work directory kept: $WORK (topics prefixed $RUN_ID-)"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KAFKA_PORT=${KAFKA_PORT:-39092}
if "$ROOT/scripts/kafka.sh" status >/dev/null 2>&1; then
  log "using the running test broker on 127.0.0.1:$KAFKA_PORT"
else
  log "starting the test broker"
  "$ROOT/scripts/kafka.sh" start >"$WORK/kafka-start.log" 2>&1 ||
    { cat "$WORK/kafka-start.log" >&2; die "scripts/kafka.sh start failed"; }
  started_broker=1
fi
BROKERS=127.0.0.1:$KAFKA_PORT
broker_pid=$(cat "$ROOT/.kafka/run/${KAFKA_PORT:-39092}/kafka.pid" 2>/dev/null || true)
[[ -n $broker_pid && -d /proc/$broker_pid ]] || die "cannot find the broker's pid in .kafka/run/${KAFKA_PORT:-39092}/kafka.pid"

now=$(date -u +%Y-%m-%dT%H:%M:%SZ) # every generated stream ends here: same seed, same stream

# --- helpers ----------------------------------------------------------------------

kv() { # FILE KEY -> the value of a "key value" line, or empty
  awk -v k="$2" '$1 == k {print $2; exit}' "$1"
}

# The topic names of a set: -X topic.*=<RUN_ID>-<set>-*.
topic_args() { # SET PARTITIONS
  local p=$RUN_ID-$1
  printf '%s\n' -X "topic.transfers=$p-tx" -X "topic.accounts=$p-acc" -X "topic.watchlist=$p-wl" \
    -X "topic.reports=$p-rep" -X "topic.interceptions=$p-int" -X "topic.deadletter=$p-dl" \
    -X "topic.allowlist=$p-al" -X "topic.verdicts=$p-vd" -X "topic.partitions=$2"
}

make_topics() { # SET PARTITIONS [-X topic.*=NAME]...
  local -a t
  mapfile -t t < <(topic_args "$1" "$2")
  "$IX" topics -X "brokers=$BROKERS" "${t[@]}" "${@:3}" >>"$WORK/topics.log" 2>&1 ||
    { tail -n 5 "$WORK/topics.log" >&2; die "interdict topics failed for set $1"; }
}

gen_opts() { # ACCOUNTS TRANSFERS -> the generator's stream options
  printf '%s\n' --profile "$gen_profile" --accounts "$1" --transfers "$2" --seed "$seed" --now "$now"
}

# Judge a run's requests against the truth: NAME.detect (summary) and
# NAME.detect.md (tables) in $WORK.
detect() { # NAME INTERCEPTIONS-TOPIC TRUTH-FILE
  "$BB/bench_detect" --brokers "$BROKERS" --interceptions "$2" --truth "$3" \
    --accounts "$accounts" --table "$WORK/$1.detect.md" >"$WORK/$1.detect" ||
    die "bench_detect failed for $1"
}

# Produce a whole stream into a topic set, the truth to DIR/truth.jsonl.
# Prints the generator's rate. Extra arguments go to interdict-gen.
preload() { # SET PARTITIONS ACCOUNTS TRANSFERS DIR [--format pacs008]
  local -a t g
  mapfile -t t < <(topic_args "$1" "$2")
  mapfile -t g < <(gen_opts "$3" "$4")
  "$GEN" --brokers "$BROKERS" "${t[@]}" "${g[@]}" --out-dir "$5" "${@:6}" >"$WORK/gen-$1.log" 2>&1 ||
    { tail -n 5 "$WORK/gen-$1.log" >&2; die "interdict-gen failed for set $1"; }
  sed -n 's/.*, \([0-9]*\) transfers\/s$/\1/p' "$WORK/gen-$1.log" | tail -n 1
}

wait_for_line() { # FILE PATTERN PID SECONDS
  local i
  for ((i = 0; i < $4 * 10; i++)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

forget_pid() { # PID
  local p keep_pids=()
  for p in "${bg_pids[@]}"; do
    [[ $p == "$1" ]] || keep_pids+=("$p")
  done
  bg_pids=("${keep_pids[@]}")
}

# Screen a topic set with interdict until it is idle, watched from outside.
# Leaves NAME.log, NAME.prom (final metrics) and NAME.watch in $WORK.
# Extra arguments go to interdict (e.g. -X topic.interceptions=...).
screen() { # NAME SET PARTITIONS WORKERS [-X ...]...
  local name=$1 set=$2 parts=$3 w=$4
  shift 4
  local -a t
  mapfile -t t < <(topic_args "$set" "$parts")
  "$IX" run -X "brokers=$BROKERS" "${t[@]}" "$@" -X "group.id=$RUN_ID-$name" \
    -X "instance.id=$RUN_ID-$name" -X "state.dir=$WORK/state-$name" -X "workers=$w" \
    -X metrics.listen=off --until-idle "${idle}s" --final-metrics "$WORK/$name.prom" \
    >"$WORK/$name.log" 2>&1 &
  local pid=$!
  bg_pids+=("$pid")
  echo "$pid" >"$WORK/$name.pid"
  "$BB/bench_watch" --brokers "$BROKERS" --group "$RUN_ID-$name" --topic "$RUN_ID-$set-tx" \
    --pid "$pid" --cpu-pid "$broker_pid" >"$WORK/$name.watch" 2>>"$WORK/$name.log" &
  local wpid=$!
  bg_pids+=("$wpid")
  if [[ -n ${SCREEN_HOOK:-} ]]; then
    "$SCREEN_HOOK" "$name" "$pid"
  fi
  local rc=0
  wait "$pid" || rc=$?
  forget_pid "$pid"
  wait "$wpid" || true
  forget_pid "$wpid"
  if ((rc != 0)); then
    tail -n 20 "$WORK/$name.log" >&2
    die "interdict run ($name) exited with status $rc"
  fi
  rm -rf "$WORK/state-$name"
  # The run's rate: everything committed, over the time from the assignment
  # of the partitions (screening starts) to the last commit.
  local ts assigned extra
  ts=$(grep -m 1 'pipeline: assigned' "$WORK/$name.log" | cut -d ' ' -f 1)
  assigned=$(date -u -d "$ts" +%s%3N 2>/dev/null) || die "no assignment time in $WORK/$name.log"
  extra=$(awk -v a="$assigned" '
    $1 == "committed_last" { n = $2 } $1 == "last_commit_ms" { t = $2 }
    END {
      print "assigned_ms " a
      print "run_seconds " (t - a) / 1000
      printf "run_rate %.0f\n", (t > a) ? n / ((t - a) / 1000) : 0
    }' "$WORK/$name.watch")
  echo "$extra" >>"$WORK/$name.watch"
}

# A run must have consumed every transfer of its topic, or its figures mean nothing.
screened_all() { # NAME EXPECTED
  local got
  got=$(metric "$WORK/$1.prom" interdict_transfers_consumed_total)
  [[ ${got:-0} == "$2" ]] ||
    { tail -n 20 "$WORK/$1.log" >&2; die "interdict run ($1) consumed ${got:-0} of $2 transfers"; }
}

metric() { # PROM NAME -> value of an unlabelled metric
  awk -v m="$2" '$1 == m {print $2; exit}' "$1"
}

# Bucket-bounded quantile of a Prometheus histogram: the upper bound, in ms,
# of the first bucket whose cumulative count reaches q of the total ("max":
# of the bucket that holds the last sample).
hist_q() { # PROM METRIC Q|max
  awk -v m="$2_bucket{le=\"" -v q="$3" '
    index($0, m) == 1 {
      split($0, a, "\""); k++; le[k] = a[2]; c[k] = $NF
    }
    END {
      if (!k || c[k] == 0) { print "–"; exit }
      target = (q == "max") ? c[k] : q * c[k]
      for (i = 1; i <= k; i++) if (c[i] >= target) break
      if (le[i] == "+Inf") print "> " le[i - 1] * 1000
      else printf "≤ %g\n", le[i] * 1000
    }' "$1"
}

fmt_int() { # N -> 1,234,567
  sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta' <<<"$1"
}

ratio() { # A B -> A/B with 3 decimals
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "–" }'
}

mb() { # KB -> MB
  awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'
}


t_start=$SECONDS
log "work directory $WORK, topics prefixed $RUN_ID-"

# --- 1. preload ----------------------------------------------------------------------

log "1/7 preloading $(fmt_int "$transfers") transfers over $(fmt_int "$accounts") accounts ($partitions partitions)"
make_topics main "$partitions"
gen_rate=$(preload main "$partitions" "$accounts" "$transfers" "$WORK/truth-main")
tx_bytes=$("$BB/bench_consume" --brokers "$BROKERS" --topic "$RUN_ID-main-tx" | awk '$1 == "bytes" {print $2}')
log "    produced at $(fmt_int "${gen_rate:-0}") transfers/s"

# --- 2. ceilings ---------------------------------------------------------------------

best_consume=0 consume_mbs=0 dbb_fill="–" dbb_read="–"
if ((detection_only)); then
  log "2/7 ceilings skipped (--detection)"
else
  log "2/7 ceilings: plain consumer (best of 3) and db_bench"
  for i in 1 2 3; do
    "$BB/bench_consume" --brokers "$BROKERS" --topic "$RUN_ID-main-tx" >"$WORK/consume-$i.txt"
    r=$(kv "$WORK/consume-$i.txt" messages_per_second)
    if ((r > best_consume)); then
      best_consume=$r
      consume_mbs=$(kv "$WORK/consume-$i.txt" mb_per_second)
    fi
  done
  log "    plain consumer: $(fmt_int "$best_consume") messages/s"
  if ((have_dbb)); then
    dbb_out=$(db_bench --db="$WORK/dbbench" --num="$dbb_keys" --key_size=16 --value_size=200 \
      --cache_size=1073741824 --compression_type=lz4 --threads=1 --batch_size=1000 \
      --write_buffer_size=134217728 --benchmarks=fillrandom,readrandom 2>/dev/null)
    dbb_fill=$(awk '/^fillrandom/ {print $5}' <<<"$dbb_out")
    dbb_read=$(awk '/^readrandom/ {print $5}' <<<"$dbb_out")
    rm -rf "$WORK/dbbench"
    log "    db_bench: fillrandom $dbb_fill ops/s, readrandom $dbb_read ops/s"
  fi
fi

# --- 3. throughput by workers -----------------------------------------------------------

log "3/7 throughput by worker threads: $workers_list"
best_rate=0 best_w=
for w in $workers_list; do
  # Each run writes its own output topics, read back for detection.
  out_topics=(-X "topic.interceptions=$RUN_ID-main-int-w$w" -X "topic.deadletter=$RUN_ID-main-dl-w$w")
  make_topics main "$partitions" "${out_topics[@]}"
  screen "w$w" main "$partitions" "$w" "${out_topics[@]}"
  screened_all "w$w" "$transfers"
  r=$(kv "$WORK/w$w.watch" run_rate)
  log "    workers=$w: $(fmt_int "$r") transfers/s"
  if ((r > best_rate)); then
    best_rate=$r
    best_w=$w
  fi
  detect "w$w" "$RUN_ID-main-int-w$w" "$WORK/truth-main/truth.jsonl"
done
((best_rate > 0)) || die "no throughput measured (see $WORK)"

# The same stream as ISO 20022 pacs.008 documents (docs/iso20022.md), at the
# best worker count: what reading XML costs beside the JSON.
pacs_rate=0
if ((detection_only == 0)); then
  make_topics pacs "$partitions"
  preload pacs "$partitions" "$accounts" "$transfers" "$WORK/truth-pacs" --format pacs008 >/dev/null
  screen pacs pacs "$partitions" "$best_w" -X topic.transfers.format=pacs008
  screened_all pacs "$transfers"
  pacs_rate=$(kv "$WORK/pacs.watch" run_rate)
  log "    pacs.008 input, workers=$best_w: $(fmt_int "$pacs_rate") transfers/s"
fi

# --- 4. detection with one partition ---------------------------------------------------------

log "4/7 detection with one partition (event-time order)"
make_topics p1 1
preload p1 1 "$accounts" "$transfers" "$WORK/truth-p1" >/dev/null
cmp -s "$WORK/truth-main/truth.jsonl" "$WORK/truth-p1/truth.jsonl" ||
  die "the one-partition stream's truth differs from the main stream's"
screen p1 p1 1 "$best_w"
screened_all p1 "$transfers"
detect p1 "$RUN_ID-p1-int" "$WORK/truth-p1/truth.jsonl"

# --- 5. latency at fixed offered rates ---------------------------------------------------------

mem_rows=()
if ((detection_only)); then
  log "5/7 latency and 6/7 memory skipped (--detection)"
else
  log "5/7 latency at ${latency_pcts// /, } percent of $(fmt_int "$best_rate")/s (workers=$best_w, ${step_seconds}s each)"
  # The account and watch-list tables are loaded before screening starts, as in
  # production: a first generator run writes them to the step's topics (its
  # stream goes to a throwaway set); the paced run writes the same stream to the
  # step's topics and its tables to the throwaway set.
  make_topics scratch "$partitions"
  # Screening hook of a latency step: the paced producer starts as soon as
  # interdict has its partitions. Uses the step's p, s, g and rate.
  start_paced() { # NAME PID
    wait_for_line "$WORK/$1.log" "assigned" "$2" 60 ||
      { tail -n 20 "$WORK/$1.log" >&2; die "interdict ($1) did not get its partitions"; }
    "$GEN" --brokers "$BROKERS" -X "topic.accounts=$s-acc" -X "topic.watchlist=$s-wl" \
      -X "topic.transfers=$p-tx" -X "topic.reports=$p-rep" "${g[@]}" --rate "$rate" \
      --out-dir "$WORK/truth-$set" >"$WORK/gen-$set.log" 2>&1 ||
      { tail -n 5 "$WORK/gen-$set.log" >&2; die "interdict-gen (paced, $set) failed"; }
  }
  for step in $latency_steps; do
    pct=${step%f}
    extra=()
    [[ $step == *f ]] && extra=(-X "commit.interval=$fast_commit")
    rate=$((best_rate * pct / 100))
    ((rate >= 50)) || rate=50
    count=$((rate * step_seconds))
    set=l$step
    make_topics "$set" "$partitions"
    mapfile -t g < <(gen_opts "$accounts" "$count")
    p=$RUN_ID-$set s=$RUN_ID-scratch
    # Profiles and watch list depend on the population and the seed, not on the
    # number of transfers: a short stream is enough here.
    mapfile -t g_tables < <(gen_opts "$accounts" 50000)
    "$GEN" --brokers "$BROKERS" -X "topic.accounts=$p-acc" -X "topic.watchlist=$p-wl" \
      -X "topic.transfers=$s-tx" -X "topic.reports=$s-rep" "${g_tables[@]}" >"$WORK/gen-$set-tables.log" 2>&1 ||
      { tail -n 5 "$WORK/gen-$set-tables.log" >&2; die "interdict-gen (tables of $set) failed"; }

    rm -f "$WORK/$set.ready"
    "$BB/bench_latency" --brokers "$BROKERS" --interceptions "$p-int" --transfers "$p-tx" \
      --reports "$p-rep" --out "$WORK/$set.samples" --ready "$WORK/$set.ready" \
      --warmup-ms "$((warmup_seconds * 1000))" >"$WORK/$set.latency" 2>"$WORK/$set.latency.log" &
    lat_pid=$!
    bg_pids+=("$lat_pid")
    i=0
    while [[ ! -e $WORK/$set.ready ]] && ((i++ < 300)); do
      kill -0 "$lat_pid" 2>/dev/null || { cat "$WORK/$set.latency.log" >&2; die "bench_latency exited"; }
      sleep 0.1
    done
    [[ -e $WORK/$set.ready ]] || die "bench_latency did not get ready within 30 s"

    SCREEN_HOOK=start_paced
    screen "$set" "$set" "$partitions" "$best_w" "${extra[@]}"
    SCREEN_HOOK=
    screened_all "$set" "$count"
    kill -TERM "$lat_pid"
    wait "$lat_pid" || { cat "$WORK/$set.latency.log" >&2; die "bench_latency ($set) failed"; }
    forget_pid "$lat_pid"
    achieved=$(sed -n 's/.*, \([0-9]*\) transfers\/s$/\1/p' "$WORK/gen-$set.log" | tail -n 1)
    echo "$pct $rate ${achieved:-0} $count" >"$WORK/$set.offered"
    log "    $pct%${extra[*]:+ (${extra[*]})}: $(fmt_int "$rate")/s offered, p99 $(kv "$WORK/$set.latency" p99_ms) ms over $(kv "$WORK/$set.latency" transfer_triggered) requests"
    detect "$set" "$p-int" "$WORK/truth-$set/truth.jsonl"
  done

  # --- 6. memory by population --------------------------------------------------------------

  log "6/7 peak memory by population: $mem_pops accounts"
  mem_rows=()
  for pop in $mem_pops; do
    if ((pop == accounts)); then
      w_file=$WORK/w$best_w.watch
      mem_rows+=("| $(fmt_int "$pop") | $(fmt_int "$transfers") | $best_w | $(mb "$(kv "$w_file" peak_rss_kb)") | $(fmt_int "$(kv "$w_file" run_rate)") | the throughput run |")
      continue
    fi
    set=m$pop
    make_topics "$set" "$partitions"
    preload "$set" "$partitions" "$pop" "$mem_transfers" "$WORK/truth-$set" >/dev/null
    screen "$set" "$set" "$partitions" "$best_w"
    screened_all "$set" "$mem_transfers"
    mem_rows+=("| $(fmt_int "$pop") | $(fmt_int "$mem_transfers") | $best_w | $(mb "$(kv "$WORK/$set.watch" peak_rss_kb)") | $(fmt_int "$(kv "$WORK/$set.watch" run_rate)") | |")
  done
fi

# --- 7. profile (optional) ---------------------------------------------------------------------

perf_top='' perf_dso='' perf_incl='' perf_stages='' perf_hz=199 prof_transfers=0
if ((profile && detection_only == 0)); then
  # DWARF samples carry 8 KB of stack each: aim at ~40,000 samples whatever
  # the run's length (the best run's seconds, about 2.5 busy threads).
  perf_hz=$(awk -v s="$(kv "$WORK/w$best_w.watch" run_seconds)" 'BEGIN { f = s > 0 ? 16000 / s : 199; if (f > 199) f = 199; if (f < 19) f = 19; printf "%d", f }')
  log "7/7 perf record on one more run (workers=$best_w, $perf_hz Hz)"
  perf_pid=
  start_perf() { # NAME PID
    wait_for_line "$WORK/$1.log" "assigned" "$2" 60 || return 0
    # The Release build has no frame pointers: DWARF unwinding attributes
    # time to callers (inclusive figures), at 199 Hz to keep the file small.
    perf record -F "$perf_hz" --call-graph dwarf,8192 -p "$2" -o "$WORK/perf.data" >"$WORK/perf.log" 2>&1 &
    perf_pid=$!
    bg_pids+=("$perf_pid")
  }
  SCREEN_HOOK=start_perf
  out_topics=(-X "topic.interceptions=$RUN_ID-main-int-prof" -X "topic.deadletter=$RUN_ID-main-dl-prof")
  make_topics main "$partitions" "${out_topics[@]}"
  screen prof main "$partitions" "$best_w" "${out_topics[@]}"
  SCREEN_HOOK=
  if [[ -n $perf_pid ]]; then
    wait "$perf_pid" || true # perf record -p ends, and writes its file, when the process is gone
    forget_pid "$perf_pid"
  fi
  # perf pads its columns to the widest symbol: keep the percentage and the name.
  perf_rows() { # CHILDREN|NO-CHILDREN SORT
    perf report -i "$WORK/perf.data" "--$1" --stdio --sort "$2" -g none \
      --percent-limit 1 2>/dev/null | grep -E '^ +[0-9.]+%' |
      sed -E -e 's/[[:space:]]+-[[:space:]]+-[[:space:]]*$//' -e 's/[[:space:]]+$//' || true
  }
  log "    perf report (three views and the stages, about a minute)"
  prof_transfers=$(metric "$WORK/prof.prom" interdict_transfers_consumed_total)
  perf_stages=$("$ROOT/bench/stages.sh" "$WORK/perf.data" "${prof_transfers:-0}" 2>/dev/null) ||
    perf_stages='(bench/stages.sh could not read the recording)'
  perf_top=$(perf_rows no-children symbol | head -n 25)
  perf_dso=$(perf_rows no-children dso | head -n 12)
  # Inclusive time of interdict's own functions and the RocksDB C calls they make.
  perf_incl=$(perf_rows children dso,symbol | awk '$3 == "interdict" || $5 ~ /^rocksdb_[a-z_]+$/' | head -n 30)
else
  log "7/7 profile skipped (--no-profile)"
fi

# --- the report --------------------------------------------------------------------------------

mkdir -p "$out"
day=$(date -u +%Y-%m-%d)
base=$day-$label
report=$out/$base.md
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
mem_total=$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=
if git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q .; then
  dirty=", with uncommitted changes"
fi

# Throughput table and plot data.
tp_rows=() && : >"$WORK/throughput.dat"
for w in $workers_list; do
  f=$WORK/w$w.watch m=$WORK/w$w.prom
  r=$(kv "$f" run_rate) span=$(kv "$f" span_seconds) between=$(kv "$f" rate)
  cores=$(awk -v c="$(kv "$f" cpu_seconds)" -v s="$span" 'BEGIN { if (s > 0) printf "%.2f", c / s }')
  bcores=$(awk -v c="$(kv "$f" "cpu_seconds_$broker_pid")" -v s="$span" 'BEGIN { if (s > 0) printf "%.2f", c / s }')
  whole=$(awk -v n="$(metric "$m" interdict_transfers_consumed_total)" -v s="$(kv "$f" wall_seconds)" -v i="$idle" \
    'BEGIN { if (s - i > 0) printf "%.0f", n / (s - i) }')
  ocores=$(awk -v a="$(kv "$f" machine_cpu_seconds)" -v c="$(kv "$f" cpu_seconds)" \
    -v b="$(kv "$f" "cpu_seconds_$broker_pid")" -v s="$span" 'BEGIN { if (s > 0) printf "%.2f", (a - b - c) / s }')
  busy=$(metric "$m" interdict_worker_busy_seconds_total)
  tp_rows+=("| $w | **$(fmt_int "$r")** | $(ratio "$r" "$best_consume") | $(kv "$f" run_seconds) | $(fmt_int "$(kv "$f" committed_last)") | $(fmt_int "$between") | $(fmt_int "${whole:-0}") | $cores | $bcores | $ocores | $busy | $(metric "$m" interdict_checkpoints_total) | $(mb "$(kv "$f" peak_rss_kb)") | $(kv "$WORK/w$w.detect" recall) / $(kv "$WORK/w$w.detect" precision) |")
  echo "$w $r" >>"$WORK/throughput.dat"
done

# Latency table and plot data.
lat_rows=()
if ((detection_only == 0)); then
  : >"$WORK/latency.dat" && : >"$WORK/latency-fast.dat"
  for step in $latency_steps; do
    set=l$step
    read -r pct rate achieved count <"$WORK/$set.offered"
    L=$WORK/$set.latency M=$WORK/$set.prom
    interval=500ms
    [[ $step == *f ]] && interval=$fast_commit
    lat_rows+=("| $pct % | $interval | $(fmt_int "$rate") | $(fmt_int "$achieved") | $(fmt_int "$(kv "$WORK/$set.watch" rate)") | $(fmt_int "$count") | $(kv "$L" transfer_triggered) ($(kv "$L" triggers)) | $(kv "$L" p50_ms) | **$(kv "$L" p99_ms)** | $(kv "$L" p999_ms) | $(kv "$L" max_ms) | $(kv "$L" warmup) / $(kv "$L" warmup_max_ms) | $(hist_q "$M" interdict_processing_seconds 0.5) | $(hist_q "$M" interdict_processing_seconds 0.99) | $(hist_q "$M" interdict_processing_seconds 0.999) | $(hist_q "$M" interdict_processing_seconds max) | $(hist_q "$M" interdict_end_to_end_seconds 0.99) |")
    dat=$WORK/latency.dat
    [[ $step == *f ]] && dat=$WORK/latency-fast.dat
    echo "$pct $rate $(kv "$L" p50_ms) $(kv "$L" p99_ms) $(kv "$L" p999_ms) $(kv "$L" max_ms)" >>"$dat"
  done
fi

# Floors.
best_detect=$WORK/w$best_w.detect
verdict() { # OK? -> met / MISSED
  if (($1)); then echo "met"; else echo "**MISSED**"; fi
}
f_tp=$(verdict "$((best_rate >= 100000))")
ceil_ratio=$(ratio "$best_rate" "$best_consume")
f_ratio=$(verdict "$(awk -v r="$ceil_ratio" 'BEGIN { print (r >= 0.5) }')")
p99_half= p99_fast= f_lat=
if ((detection_only == 0)); then
  p99_half=$(kv "$WORK/l50.latency" p99_ms)
  f_lat=$(verdict "$(awk -v p="${p99_half:-1e9}" 'BEGIN { print (p < 50) }')")
  if [[ $fast_commit != off ]]; then
    p99_fast="; $(kv "$WORK/l50f.latency" p99_ms) ms with commit.interval=$fast_commit"
  fi
fi
rec=$(kv "$best_detect" recall) prec=$(kv "$best_detect" precision)
rec1=$(kv "$WORK/p1.detect" recall) prec1=$(kv "$WORK/p1.detect" precision)
live_rec= live_prec=
if [[ -e $WORK/l50.detect ]]; then
  live_rec="; $(kv "$WORK/l50.detect" recall) (live, 50 %)"
  live_prec="; $(kv "$WORK/l50.detect" precision) (live, 50 %)"
fi
at_least() { # VALUE FLOOR -> met / MISSED
  verdict "$(awk -v v="$1" -v f="$2" 'BEGIN { print (v != "" && v != "-" && v >= f) }')"
}
at_most() { # VALUE CEILING -> met / MISSED
  verdict "$(awk -v v="$1" -v f="$2" 'BEGIN { print (v != "" && v != "-" && v <= f) }')"
}
if [[ $gen_profile == classic ]]; then
  f_rec=$(at_least "$rec" 0.95)
  f_prec=$(at_least "$prec" 0.9)
else
  # Issue 11's floors on the realistic mix.
  f_cell=$(at_least "$(kv "$best_detect" worst_cell_recall)" 0.9)
  f_cellh=$(at_least "$(kv "$best_detect" worst_cell_recall_hold)" 0.7)
  f_prec=$(at_least "$prec" 0.95)
  f_held=$(at_most "$(kv "$best_detect" false_hold_per_100k)" 100)
  f_review=$(at_most "$(kv "$best_detect" review_pct)" 1)
  f_part=$(verdict "$(awk -v a="$rec" -v b="$rec1" 'BEGIN { print (a == b) }')")
fi

# Plots.
plots=0
fast_plot=
if [[ -s $WORK/latency-fast.dat ]]; then
  fast_plot="\"$WORK/latency-fast.dat\" using 2:4 with points pt 7 ps 1.5 title \"p99, commit.interval=$fast_commit\","
fi
if ((have_gnuplot && detection_only == 0)); then
  if gnuplot <<EOF; then
set terminal pngcairo size 860,500 font "sans,11" noenhanced
set output "$out/$base-throughput.png"
set title "interdict throughput by worker threads ($(fmt_int "$transfers") transfers, $(fmt_int "$accounts") accounts, $(nproc) cores)"
set xlabel "worker threads"
set ylabel "transfers per second (first to last commit)"
set yrange [0:$(awk '$2 > m { m = $2 } END { m = (m > 100000 ? m : 100000); print int(m * 1.2) }' "$WORK/throughput.dat")]
set xrange [-0.6:$(awk 'END { print NR - 0.4 }' "$WORK/throughput.dat")]
set grid ytics
set boxwidth 0.5
set style fill solid 0.6
set key top left
plot "$WORK/throughput.dat" using 0:2:xtic(1) with boxes title "interdict run --until-idle", \
     "" using 0:2:2 with labels offset 0,0.8 notitle, \
     100000 with lines dashtype 2 lw 2 title "floor: 100,000/s"
set output "$out/$base-latency.png"
set title "freeze-request latency by offered rate (produce to read_committed arrival, commit.interval 500ms)"
set xlabel "offered rate, transfers per second (percent of the measured maximum)"
set ylabel "milliseconds"
set logscale y
set yrange [*:*]
set xrange [*:*]
set key outside bottom center horizontal
set xtics ($(awk '{printf "%s\"%s/s\\n%s %%%%\" %s", (NR > 1 ? ", " : ""), $2, $1, $2}' "$WORK/latency.dat"))
plot "$WORK/latency.dat" using 2:3 with linespoints lw 2 title "p50", \
     "" using 2:4 with linespoints lw 2 title "p99", \
     "" using 2:5 with linespoints lw 2 title "p99.9", \
     "" using 2:6 with linespoints lw 2 title "max", \
     $fast_plot 50 with lines dashtype 2 title "floor: p99 < 50 ms at 50%"
EOF
    plots=1
  else
    log "warning: gnuplot failed; no plots"
  fi
fi

hours() { # SECONDS -> "2.6 h", "–" for none
  awk -v s="$1" 'BEGIN { if (s == "" || s < 0) print "–"; else printf "%.1f h", s / 3600 }'
}

detect_row() { # NAME FILE
  if [[ $gen_profile == classic ]]; then
    echo "| $1 | $(kv "$2" planted) | $(kv "$2" caught) | **$(kv "$2" recall)** | $(kv "$2" requests) | **$(kv "$2" precision)** | $(kv "$2" duplicates) | $(kv "$2" worst_recall_pattern) $(kv "$2" worst_recall) |"
    return
  fi
  echo "| $1 | $(kv "$2" counted) | $(kv "$2" caught) | **$(kv "$2" recall)** | $(kv "$2" caught_hold) | **$(kv "$2" recall_hold)** | $(kv "$2" worst_cell) $(kv "$2" worst_cell_recall) / $(kv "$2" worst_cell_hold) $(kv "$2" worst_cell_recall_hold) | $(($(kv "$2" hold) + $(kv "$2" freeze))) | **$(kv "$2" precision)** | $(kv "$2" false_hold_per_100k) | $(kv "$2" review_pct) % | $(hours "$(kv "$2" median_first_request_s)") | $(kv "$2" duplicates) |"
}

# The floors' detection rows, by profile.
detection_floors() {
  if [[ $gen_profile == classic ]]; then
    echo "| recall, default mix | ≥ 0.95 | $rec ($partitions partitions, preloaded); $rec1 (1 partition)$live_rec | $f_rec |"
    echo "| precision, default mix | ≥ 0.9 | $prec ($partitions partitions, preloaded); $prec1 (1 partition)$live_prec | $f_prec |"
    return
  fi
  local d=$best_detect o=$WORK/p1.detect
  echo "| recall by typology and size class, any action (attempts of ≥ 3 transfers) | ≥ 0.9 in every cell | weakest $(kv "$d" worst_cell) $(kv "$d" worst_cell_recall) ($partitions partitions; all $rec); $(kv "$o" worst_cell) $(kv "$o" worst_cell_recall) (1 partition; all $rec1) | $f_cell |"
  echo "| recall by typology and size class, HOLD or FREEZE only | ≥ 0.7 in every cell | weakest $(kv "$d" worst_cell_hold) $(kv "$d" worst_cell_recall_hold) ($partitions partitions; all $(kv "$d" recall_hold)); $(kv "$o" worst_cell_hold) $(kv "$o" worst_cell_recall_hold) (1 partition) | $f_cellh |"
  echo "| precision of HOLD and FREEZE, against look-alikes and the background | ≥ 0.95 | $prec (weakest code $(kv "$d" worst_precision_code) $(kv "$d" worst_precision)); $prec1 (1 partition) | $f_prec |"
  echo "| innocent accounts with a HOLD or FREEZE | ≤ 0.1 % (100 per 100,000) | $(kv "$d" false_hold_per_100k) per 100,000 ($(kv "$d" innocent_held) of $(fmt_int "$(kv "$d" innocent)")) | $f_held |"
  echo "| innocent accounts with a REVIEW | ≤ 1 % | $(kv "$d" review_pct) % ($(kv "$d" innocent_reviewed)) | $f_review |"
  echo "| recall, $partitions partitions preloaded against 1 partition | equal | $rec / $rec1 | $f_part |"
}

# What the detection measures mean, by profile.
detection_intro() {
  if [[ $gen_profile == classic ]]; then
    echo "Recall of a pattern: planted instances with at least one account the truth marks for"
    echo "flagging that received a freeze request. Precision: requests whose account takes part"
    echo "in a planted instance; per pattern, over the reason codes its rule raises (chain and"
    echo "chain_slow share CH01/CH02). Read back with read_committed (\`bench_detect\`)."
    echo
    echo "| run | planted | caught | recall | requests | precision | duplicate request ids | weakest pattern |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    return
  fi
  echo "The generator's realistic mix (\`docs/generator.md\`): $(kv "$best_detect" attempts) laundering"
  echo "attempts of 15 typologies (degree 2 to 15, minutes to two weeks, run by accounts with"
  echo "everyday lives) and $(kv "$best_detect" lookalikes) legitimate look-alikes of 15 kinds. An attempt is **caught** when"
  echo "a request on one of its flagged accounts cites one of its transfers (the trigger or a"
  echo "finding's evidence); recall counts the attempts with at least 3 transfers, with any"
  echo "action and with HOLD or FREEZE only, and the weakest typology and size class is shown."
  echo "**Precision** is of HOLD and FREEZE: right on an account the truth flags, wrong on a"
  echo "victim or innocent counterparty, a look-alike's account or the background. **Innocent**"
  echo "accounts are all the truth does not flag. The time to the first request runs from an"
  echo "attempt's first transfer to the event time of the first request that catches it. Read"
  echo "back with read_committed (\`bench_detect\`; the scoring is \`src/truth.c\`)."
  echo
  echo "| run | attempts (≥ 3 transfers) | caught (any) | recall | caught (HOLD/FREEZE) | recall | weakest cell (any / HOLD-FREEZE) | HOLD/FREEZE requests | precision | innocent held per 100,000 | innocent reviewed | median to first request | duplicate request ids |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
}

# The stream, as the report's header says it.
stream_mix() {
  if [[ $gen_profile == classic ]]; then
    echo "the classic pattern mix: $(kv "$best_detect" planted) planted instances"
  else
    echo "the realistic mix: $(kv "$best_detect" attempts) laundering attempts and $(kv "$best_detect" lookalikes) look-alikes"
  fi
}

{
  echo "# interdict end-to-end benchmark: $label"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) by \`$invocation\`"
  echo "on **$(nproc) cores ($cpu), ${mem_total} GB RAM**, $(uname -sr), commit $rev$dirty,"
  echo "$build_type build. The broker is the test broker of \`scripts/kafka.sh\` (Apache Kafka 3.9.2,"
  echo "one KRaft node, 512 MB heap) **on the same machine**: broker, load generator and"
  echo "interdict share the $(nproc) cores, so every figure here is a whole-system figure."
  echo
  echo "Stream: $(fmt_int "$transfers") transfers over $(fmt_int "$accounts") accounts and $duration_days days"
  echo "(\`interdict-gen --profile $gen_profile --seed $seed --now $now\`, $(stream_mix)),"
  echo "$((tx_bytes / 1048576)) MB on a $partitions-partition transfers topic, preloaded at"
  echo "$(fmt_int "${gen_rate:-0}") transfers/s. Full runs use \`--full\`; \`bench/README.md\` explains every column."
  echo
  echo "## Floors"
  echo
  echo "| measure | floor | measured | |"
  echo "| --- | --- | --- | --- |"
  if ((detection_only == 0)); then
    echo "| throughput end to end | ≥ 100,000 transfers/s | $(fmt_int "$best_rate")/s (workers=$best_w) | $f_tp |"
    echo "| share of the plain-consume ceiling | ≥ 50 % | $(awk -v r="$ceil_ratio" 'BEGIN { printf "%.1f %%", r * 100 }') of $(fmt_int "$best_consume")/s | $f_ratio |"
    echo "| p99 latency at half the maximum rate | < 50 ms | ${p99_half:-–} ms (default commit.interval, 500ms)$p99_fast | $f_lat |"
  fi
  detection_floors
  echo
  if ((detection_only == 0)); then
    echo "## Ceilings on this machine"
    echo
    echo "| what | rate |"
    echo "| --- | ---: |"
    echo "| \`bench_consume\`: plain librdkafka group consumer, read_committed, batches of 1024, no decoding (best of 3) | **$(fmt_int "$best_consume") messages/s** ($consume_mbs MB/s) |"
    echo "| RocksDB \`db_bench readrandom\` ($(fmt_int "$dbb_keys") keys of 16 B, values of 200 B, one thread, all cached) | $dbb_read ops/s |"
    echo "| RocksDB \`db_bench fillrandom\` (the same, batches of 1000) | $dbb_fill ops/s |"
    echo
  fi
  echo "## Throughput by worker threads"
  echo
  echo "\`interdict run --until-idle ${idle}s\` on the preloaded topic, a fresh group and state"
  echo "each time. **transfers/s** is every transfer committed, divided by the time from the"
  echo "assignment of the partitions (interdict's log line \"assigned N partition(s)\": screening"
  echo "starts) to the last commit the group made, which \`bench_watch\` sees by polling the"
  echo "group's committed offsets every 50 ms (interdict commits offsets only in its checkpoint"
  echo "transaction, after the transfer is screened, its requests produced and its state"
  echo "written). Start-up before the assignment (tables loaded, group joined) and the idle wait"
  echo "after the last transfer are left out. *Between first and last commit* is the same over"
  echo "the commits only (it leaves out the first interval); *whole process* is the count over"
  echo "the process's whole life minus the idle wait. Cores: CPU seconds between the first and"
  echo "the last commit divided by that time, for interdict, for the broker, and for everything"
  echo "else on the machine (the load generator is idle then; other users' processes are not:"
  echo "the machine is shared)."
  echo
  if ((plots)); then
    echo "![throughput by workers]($base-throughput.png)"
    echo
  fi
  echo "| workers | transfers/s | of the consume ceiling | seconds | committed | between first and last commit (/s) | whole process (/s) | interdict cores | broker cores | other cores | worker busy (s) | checkpoints | peak RSS (MB) | recall / precision |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${tp_rows[@]}"
  echo
  echo "One partition (detection run below, workers=$best_w): $(fmt_int "$(kv "$WORK/p1.watch" run_rate)") transfers/s."
  if ((detection_only == 0)); then
    echo
    echo "The same stream as ISO 20022 pacs.008 documents (\`interdict-gen --format pacs008\`,"
    echo "\`topic.transfers.format=pacs008\`, docs/iso20022.md), workers=$best_w:"
    echo "$(fmt_int "$pacs_rate") transfers/s, $(ratio "$pacs_rate" "$best_rate") of the JSON rate."
  fi
  echo
  if ((detection_only == 0)); then
    echo "## Latency at fixed offered rates"
    echo
    echo "The stream is produced at a fixed rate (\`interdict-gen --rate\`, ${step_seconds} s a step, the"
    echo "account tables loaded beforehand) while interdict (workers=$best_w) screens it. **Alert"
    echo "latency** is measured per freeze request from the Kafka CreateTime of the transfer"
    echo "that triggered it to its arrival at a read_committed consumer of the interceptions"
    echo "topic (\`bench_latency\`; nearest-rank percentiles of the raw samples, one per"
    echo "request). **Processing** is interdict's own \`interdict_processing_seconds\` histogram"
    echo "(decode, graph, rules, produce for one transfer): its percentiles are bucket bounds"
    echo "(10 µs, 25 µs, 50 µs, 100 µs, ... 10 s), not exact values. *Screened p99* is the"
    echo "bucket bound of \`interdict_end_to_end_seconds\` (CreateTime to the end of screening,"
    echo "every transfer, before the commit that makes it visible)."
    echo
    echo "Requests triggered in the first ${warmup_seconds} s of a step (cold caches, the first"
    echo "transaction) are left out of the percentiles and shown apart (*warm-up*). A request"
    echo "becomes visible to a read_committed reader only when the checkpoint transaction that"
    echo "carries it commits, every \`commit.interval\` (500ms by default), so the alert latency"
    echo "is at least the wait for the next checkpoint plus the checkpoint itself; the last"
    echo "row repeats the 50 % step with a short interval to show that floor move."
    echo
    if ((plots)); then
      echo "![latency by offered rate]($base-latency.png)"
      echo
    fi
    echo "| offered | commit.interval | rate (/s) | achieved by the generator (/s) | screened (/s) | transfers | requests (their transfers) | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | warm-up: requests / max (ms) | processing p50 (ms) | processing p99 | processing p99.9 | processing max | screened p99 (ms) |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${lat_rows[@]}"
    echo
    echo "Processing columns are in milliseconds (≤ 0.01 is the 10 µs bucket). The request count"
    echo "is the sample size: with a few hundred, p99.9 is the largest sample or close to it, and"
    echo "requests raised by one transfer (a bipartite layer flags several accounts at once) share"
    echo "one latency, so the tail is made of fewer events than samples."
    echo
  fi
  echo "## Detection"
  echo
  detection_intro
  for w in $workers_list; do
    detect_row "preloaded, $partitions partitions, workers=$w" "$WORK/w$w.detect"
  done
  detect_row "preloaded, 1 partition, workers=$best_w" "$WORK/p1.detect"
  for step in $latency_steps; do
    [[ -e $WORK/l$step.detect ]] || continue
    note=
    [[ $step == *f ]] && note=", commit.interval=$fast_commit"
    detect_row "live at ${step%f} % ($(fmt_int "$(awk '{print $4}' "$WORK/l$step.offered")") transfers), $partitions partitions$note" "$WORK/l$step.detect"
  done
  echo
  echo "Preloaded, $partitions partitions, workers=$best_w:"
  echo
  cat "$WORK/w$best_w.detect.md"
  echo
  echo "Preloaded, 1 partition:"
  echo
  cat "$WORK/p1.detect.md"
  echo
  if [[ -e $WORK/l50.detect.md ]]; then
    echo "Live at 50 % of the maximum rate:"
    echo
    cat "$WORK/l50.detect.md"
    echo
  fi
  echo "Transfers are keyed by the paying account, so the hops of a multi-hop pattern land"
  echo "in different partitions. Preloaded, the partitions are screened concurrently and"
  echo "independently, each as fast as it goes, so a later hop can be screened before an"
  echo "earlier one; a rule that looks back from the later hop then misses it. With one"
  echo "partition (or live, where transfers arrive in event-time order) the hops are"
  echo "screened in order. Fraud reports are on their own topic: preloaded, a report can be"
  echo "screened before the transfer it names and is dead-lettered (\`unknown_transfer\`):"
  echo "$(grep -o 'reason="unknown_transfer"} [0-9]*' "$WORK/w$best_w.prom" | awk '{print $2}' || echo 0) of them in the run above. A victim_report instance still counts as caught when"
  echo "another rule flagged one of its mules, so check the VR codes' request count."
  echo
  if ((detection_only == 0)); then
    echo "## Peak memory by population"
    echo
    echo "VmHWM of the interdict process (\`bench_watch\`, sampled every 50 ms), default"
    echo "\`state.cache.size\` (512 MB: half account cache, half RocksDB block cache; memtables"
    echo "come on top)."
    echo
    echo "| accounts | transfers | workers | peak RSS (MB) | transfers/s | |"
    echo "| ---: | ---: | ---: | ---: | ---: | --- |"
    printf '%s\n' "${mem_rows[@]}"
    echo
  fi
  if ((profile && detection_only == 0)); then
    echo "## CPU budget by stage"
    echo
    echo "Microseconds of interdict's CPU per transfer, by stage, over one more run with"
    echo "workers=$best_w ($(fmt_int "${prof_transfers:-0}") transfers, $(fmt_int "$(kv "$WORK/prof.watch" run_rate)") transfers/s under the profiler;"
    echo "\`bench/stages.sh\` on its perf recording: each cpu-clock sample is charged to the"
    echo "innermost stage on its call chain, so a RocksDB read made by a rule counts as"
    echo "rules and the WriteBatch of a checkpoint as checkpoint; truncated stacks that"
    echo "reach no stage are *other*). The broker's CPU is not in it."
    echo
    echo "$perf_stages"
    echo
    busy_p=$(metric "$WORK/prof.prom" interdict_worker_busy_seconds_total)
    echo "Worker threads waiting: $(awk -v w="$best_w" -v s="$(kv "$WORK/prof.watch" run_seconds)" -v b="${busy_p:-0}" -v n="${prof_transfers:-0}" 'BEGIN { if (n > 0) printf "%.2f", (w * s - b) * 1e6 / n; else printf "–" }') µs of wall time per transfer, summed over the $best_w workers"
    echo "(workers × run seconds − \`interdict_worker_busy_seconds_total\`)."
    echo
    echo "## Where the time goes"
    echo
    echo "\`perf record -F $perf_hz --call-graph dwarf -p <interdict>\` over the same run with"
    echo "workers=$best_w ($(fmt_int "$(kv "$WORK/prof.watch" run_rate)") transfers/s under the profiler). Shares"
    echo "are of interdict's CPU samples, all threads (the main thread consumes and"
    echo "checkpoints, the workers screen). Inclusive time (\`--children\`) of interdict's"
    echo "functions and the RocksDB calls they make, above 1 %:"
    echo
    echo '```'
    echo "  children     self  library               symbol"
    echo "$perf_incl"
    echo '```'
    echo
    echo "Self time per function (\`--no-children --sort symbol\`), above 1 %:"
    echo
    echo '```'
    echo "$perf_top"
    echo '```'
    echo
    echo "By library:"
    echo
    echo '```'
    echo "$perf_dso"
    echo '```'
    echo
  fi
  echo "## Reproduce"
  echo
  echo '```sh'
  echo "$invocation   # $(((SECONDS - t_start) / 60)) min here"
  echo '```'
} >"$report"
if ((detection_only)); then # latest.md stays the latest whole benchmark
  log "wrote $report ($(((SECONDS - t_start) / 60)) min)"
else
  cp "$report" "$out/latest.md"
  log "wrote $report and $out/latest.md ($(((SECONDS - t_start) / 60)) min)"
fi
echo "throughput $best_rate/s (workers=$best_w), ceiling $best_consume/s, p99 at 50%: ${p99_half:-–} ms, recall $rec, precision $prec"
