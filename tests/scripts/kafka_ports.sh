#!/usr/bin/env bash
# Two test brokers of one checkout on two ports run side by side, and `stop`
# stops only the broker of its own port (scripts/kafka.sh keeps its state by
# port). Ports: KAFKA_PORT + 50 and + 60 (and their controllers + 1), so the
# suite's own broker is never touched.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
K=$ROOT/scripts/kafka.sh
base=${KAFKA_PORT:-39092}
a=$((base + 50)) b=$((base + 60))

on() { KAFKA_PORT=$1 KAFKA_CONTROLLER_PORT=$(($1 + 1)) "$K" "${@:2}"; }
fail() {
  echo "kafka_ports: $*" >&2
  exit 1
}
cleanup() {
  on "$a" stop >/dev/null 2>&1 || true
  on "$b" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

on "$a" start >/dev/null
on "$b" start >/dev/null
on "$a" status >/dev/null || fail "broker on $a is not running after both starts"
on "$b" status >/dev/null || fail "broker on $b is not running after both starts"
pa=$(<"$ROOT/.kafka/run/$a/kafka.pid") pb=$(<"$ROOT/.kafka/run/$b/kafka.pid")
[[ $pa != "$pb" ]] || fail "both ports report the same broker (pid $pa)"
on "$a" stop >/dev/null
if on "$a" status >/dev/null; then fail "broker on $a still runs after its stop"; fi
on "$b" status >/dev/null || fail "stopping $a stopped the broker on $b"
on "$b" wait --timeout 30 >/dev/null || fail "broker on $b does not answer after $a stopped"
on "$b" stop >/dev/null
echo "kafka_ports: brokers on $a (pid $pa) and $b (pid $pb) ran side by side; each stop stopped its own"
