#!/usr/bin/env bash
# `interdict run` on a full disk: once exit 134 (a RocksDB assertion in its
# info-log writer under store_open, fresh or existing store); now exit 3 with
# one line that says how much is free, before RocksDB runs. Needs a small
# file system of its own: a 4 MB tmpfs, so it runs as root (CI's container)
# and is reported skipped (77) where mounting is not allowed.
set -euo pipefail
BIN=${INTERDICT_BIN:?INTERDICT_BIN is the interdict binary}
mnt=$(mktemp -d /tmp/ix-fulldisk-XXXXXX)
err=$(mktemp)
cleanup() { umount "$mnt" 2>/dev/null || true; rmdir "$mnt"; rm -f "$err"; }
trap cleanup EXIT
if ! mount -t tmpfs -o size=4m tmpfs "$mnt" 2>/dev/null; then
  echo "full_disk: cannot mount a tmpfs here (not root): skipped"
  exit 77
fi
run() { # expected exit, then extra arguments
  local want=$1 rc=0
  shift
  "$BIN" run -X "state.dir=$mnt/state" -X brokers=127.0.0.1:1 -X kafka.timeout=2s \
    -X metrics.listen=off -X state.min.free=1MB --until-idle 1s "$@" >/dev/null 2>"$err" || rc=$?
  if [[ $rc -ne $want ]]; then
    echo "full_disk: exit $rc, want $want; stderr was:" >&2
    cat "$err" >&2
    exit 1
  fi
}
refused() {
  grep -q "state store $mnt/state: 0.0 MB free on its file system, state.min.free asks for 1.0 MB" "$err" ||
    { echo "full_disk: no free-space message; stderr was:" >&2; cat "$err" >&2; exit 1; }
}

# An existing store: created while there is room (the run then fails on the
# brokers that do not answer, exit 3), then the disk fills up.
run 3
[[ -f $mnt/state/CURRENT ]] || { echo "full_disk: no store was created" >&2; exit 1; }
dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null || true
run 3
refused
# A fresh store on the full disk.
run 3 -X "state.dir=$mnt/state2"
grep -q "state store $mnt/state2: 0.0 MB free" "$err" ||
  { echo "full_disk: no free-space message for a fresh store" >&2; cat "$err" >&2; exit 1; }
[[ ! -e $mnt/state2 ]] || { echo "full_disk: RocksDB ran on the full disk" >&2; exit 1; }
echo "full_disk: full disk at start refused with exit 3 and its message, fresh and existing store"
