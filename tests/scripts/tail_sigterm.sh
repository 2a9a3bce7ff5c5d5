#!/usr/bin/env bash
# interdict tail against brokers that do not answer stops within seconds of
# SIGTERM (it used to wait out kafka.timeout, 30 s, first). A liveness bound,
# not a speed measurement: 10 s against the 30 s it took.
set -euo pipefail
BIN=${INTERDICT_BIN:?INTERDICT_BIN is the interdict binary}
err=$(mktemp)
trap 'rm -f "$err"' EXIT
"$BIN" tail -X brokers=127.0.0.1:1 >/dev/null 2>"$err" &
pid=$!
sleep 2
kill -TERM "$pid"
for _ in $(seq 100); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  kill -KILL "$pid"
  echo "tail_sigterm: still running 10 s after SIGTERM" >&2
  exit 1
fi
rc=0
wait "$pid" || rc=$?
grep -q "stopped while waiting for the brokers (127.0.0.1:1)" "$err" ||
  { echo "tail_sigterm: no stop message; stderr was:" >&2; cat "$err" >&2; exit 1; }
[[ $rc -eq 3 ]] || { echo "tail_sigterm: exit $rc, want 3" >&2; exit 1; }
echo "tail_sigterm: stopped within 10 s of SIGTERM, exit 3, with its message"
