#!/usr/bin/env bash
# stages.sh - the CPU budget by pipeline stage, from a perf recording of one
# screening run: microseconds of CPU per transfer for consume, decode,
# admission, graph apply, rules, produce and checkpoint.
#
# Each sample (cpu-clock, so its period is CPU nanoseconds) is charged to the
# innermost stage entry point on its call chain: a RocksDB read made by a rule
# counts as rules, the WriteBatch of a checkpoint as checkpoint. Samples of
# librdkafka's and RocksDB's own threads are stages of their own; what matches
# nothing (start-up, the consumer loop, the kernel outside any stage) is
# "other". The recording must have call graphs (perf record -g or
# --call-graph dwarf).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/stages.sh PERF_DATA TRANSFERS

Prints a Markdown table: per stage, the CPU seconds sampled, the share and
the microseconds of CPU per transfer (TRANSFERS: the transfers the recorded
run screened). Exit status 2 on a usage error, 1 when perf cannot read the file.
EOF
}

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  usage
  exit 0
fi
[[ $# -eq 2 && -r $1 && $2 =~ ^[1-9][0-9]*$ ]] || {
  usage >&2
  exit 2
}

# perf script prints, per sample, a line with its period then one frame per
# line, innermost first, then a blank line.
perf script -i "$1" -F period,ip,sym 2>/dev/null | awk -v transfers="$2" '
function stage_of(sym) {
  sub(/\+0x[0-9a-f]+$/, "", sym)
  if (sym ~ /^(scr_decode_(transfer|report|update)|dec_[a-z_]+|iso_[a-z_]+)(\.|$)/) return "decode"
  if (sym ~ /^(scr_admit_transfer|graph_seen_(transfer|report))(\.|$)/) return "admission (duplicate ids)"
  if (sym ~ /^graph_apply_transfer(\.|$)/) return "graph apply"
  if (sym ~ /^(rules_screen|scr_report|graph_raise_incident)(\.|$)/) return "rules and incidents"
  if (sym ~ /^(emit_request|emit_deadletter|rd_kafka_producev?)(\.|$)/) return "produce"
  if (sym ~ /^(graph_checkpoint(_begin)?|graph_sync|graph_discard|write_main|emit_begin|emit_commit|rd_kafka_(commit|begin|send_offsets_to)_transaction)(\.|$)/) return "checkpoint (write batch, transaction)"
  if (sym ~ /^(scr_apply_update|graph_put_(profile|watch)|graph_del_watch)(\.|$)/) return "table updates"
  if (sym ~ /^(rd_kafka_consume_batch_queue|rd_kafka_consumer_poll|rd_kafka_consume_queue|rd_kafka_queue_poll)(\.|$)/) return "consume (application side)"
  if (sym ~ /^rocksdb::.*(BGWork|BGThread|Flush|Compact)/) return "RocksDB background (flush, compaction)"
  if (sym ~ /^rd_kafka_(broker_thread_main|thread_main|background_thread_main)(\.|$)/) return "librdkafka threads (network, both ways)"
  return ""
}
function flush_sample(   i, s) {
  if (n == 0) return
  s = "other"
  for (i = 1; i <= n; i++) {
    st = stage_of(frame[i])
    if (st != "") { s = st; break }
  }
  ns[s] += period
  total += period
  n = 0
}
/^[[:space:]]*[0-9]+[[:space:]]*$/ { flush_sample(); period = $1 + 0; n = 0; next }
/^[[:space:]]*$/ { flush_sample(); next }
{
  # "\tADDR SYMBOL (DSO)" or "\tADDR SYMBOL"
  line = $0
  sub(/^[[:space:]]*[0-9a-f]+[[:space:]]+/, "", line)
  sub(/[[:space:]]+\([^()]*\)$/, "", line)
  frame[++n] = line
}
END {
  flush_sample()
  if (total == 0) { print "stages.sh: no samples" > "/dev/stderr"; exit 1 }
  order = "consume (application side)|decode|admission (duplicate ids)|graph apply|rules and incidents|produce|checkpoint (write batch, transaction)|RocksDB background (flush, compaction)|librdkafka threads (network, both ways)|table updates|other"
  k = split(order, names, "|")
  print "| stage | CPU seconds sampled | share | µs of CPU per transfer |"
  print "| --- | ---: | ---: | ---: |"
  for (i = 1; i <= k; i++) {
    v = ns[names[i]] + 0
    printf "| %s | %.2f | %.1f %% | %.2f |\n", names[i], v / 1e9, 100 * v / total, v / 1e3 / transfers
  }
  printf "| **all of interdict** | **%.2f** | 100 %% | **%.2f** |\n", total / 1e9, total / 1e3 / transfers
}'
