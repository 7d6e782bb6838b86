#!/usr/bin/env bash
# Integration: both services speak sd_notify to $NOTIFY_SOCKET: READY=1 once running,
# WATCHDOG=1 while alive (the exporter also while it waits for the ring), STOPPING=1 on SIGTERM.
# Usage: sd_notify.sh BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/../lib/testlib.sh"
build=$1
tl_start "$build"
ring="it-sdnotify-$$"
tl_rings+=("$ring")
fail() { echo "FAIL: $*" >&2; cat "$work"/*.log "$work"/*.txt >&2 2>/dev/null || true; exit 1; }

# A datagram listener that writes every message it gets, one per line, until it is killed.
listen() { # SOCKET OUT
  python3 - "$1" "$2" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "w") as out:
    while True:
        out.write(s.recv(256).decode().replace("\n", " ") + "\n"); out.flush()
PY
  pids+=($!)
}

# has SIDE STATE [N]: SIDE's listener has received STATE (at least N times, default once).
has() { [ -f "$work/$1.txt" ] && [ "$(grep -cx "$2" "$work/$1.txt")" -ge "${3:-1}" ]; }

cat >"$work/exporter.yaml" <<YAML
ring: {name: $ring}
exporter: {type: console}
YAML
cat >"$work/capture.yaml" <<YAML
source: {type: synthetic, synthetic: {rate: 100, count: 0}}
ring: {name: $ring, size: 4MiB}
YAML

listen "$work/exporter.sock" "$work/exporter.txt"
listen "$work/capture.sock" "$work/capture.txt"
# A message sent before a listener has bound its socket is lost: wait for both sockets.
wait_until 30 test -S "$work/exporter.sock" -a -S "$work/capture.sock" ||
  fail "the notify listeners did not start"
# The exporter starts first: it must report READY and keep the watchdog fed while it waits.
NOTIFY_SOCKET="$work/exporter.sock" "$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root \
  >/dev/null 2>"$work/exporter.log" &
exporter=$!; pids+=($exporter)
wait_until 60 has exporter READY=1 || fail "exporter never sent READY=1"
# WATCHDOG=1 twice while no ring exists: the exporter keeps the watchdog fed while it waits.
wait_until 60 has exporter WATCHDOG=1 2 ||
  fail "exporter did not keep sending WATCHDOG=1 while waiting for the ring"
NOTIFY_SOCKET="$work/capture.sock" "$build/capture/asimdns-capture" -c "$work/capture.yaml" \
  2>"$work/capture.log" &
capture=$!; pids+=($capture)
wait_until 60 has capture READY=1 || fail "capture never sent READY=1"
wait_until 60 has capture WATCHDOG=1 || fail "capture never sent WATCHDOG=1"
kill -TERM "$capture" "$exporter"
wait "$capture" || fail "capture exited non-zero on SIGTERM"
wait "$exporter" || fail "exporter exited non-zero on SIGTERM"
for side in exporter capture; do
  wait_until 30 has "$side" STOPPING=1 || fail "$side never sent STOPPING=1"
done
for side in exporter capture; do
  for state in READY=1 WATCHDOG=1 STOPPING=1; do
    grep -qx "$state" "$work/$side.txt" || fail "$side never sent $state"
  done
  [ "$(grep -cx READY=1 "$work/$side.txt")" -eq 1 ] || fail "$side sent READY=1 more than once"
done
echo "1 passed, 0 failed: READY, WATCHDOG and STOPPING from both services"
