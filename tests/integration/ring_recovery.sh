#!/usr/bin/env bash
# Integration: the running services recover by themselves from a damaged ring (real processes,
# a ring directory of this test's own).
#  1. `truncate -s0` then `truncate -s4096` on the cursor object while capture and exporter run:
#     capture re-initialises it (cursor_reinits), the exporter re-attaches, delivery resumes;
#     the capture process is the same one throughout (no restart).
#  2. garbage written into the exporter counters (records_exported = 9754826355999505271):
#     `asimdns status` never shows it; a restarted exporter does not inherit it
#     (counters_reset counted).
#  3. a FIFO squatted on a ring object's name: `asimdns status` answers at once (refused).
# Usage: ring_recovery.sh BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/../lib/testlib.sh"
build=$1
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (the ring directory must be root's)" >&2; exit 77; }
tl_start "$build"
chmod 755 "$work"
dir=$work/rings
ring="it-recov-$$"
cli=$build/cli/asimdns
passed=0

cat >"$work/capture.yaml" <<YAML
source: {type: synthetic, synthetic: {seed: 5, rate: 500, count: 0}}
ring: {name: $ring, size: 1MiB, directory: $dir}
heartbeat_seconds: 1
YAML
cat >"$work/exporter.yaml" <<YAML
ring: {name: $ring, directory: $dir}
exporter: {type: console}
batch: {max_records: 50, max_age: 100ms}
YAML

status_json() { "$cli" status --ring "$ring" --ring-dir "$dir" --json || true; }
# field PATH...: one number from the status JSON (e.g. capture counters cursor_reinits).
field() {
  status_json | python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in sys.argv[1:]:
    d = d[k]
print(d)' "$@"
}
lines() { wc -l <"$work/out.jsonl"; }
# For wait_until (which re-runs a command, not a value): more than N lines delivered; a
# status number at least N.
more_lines() { [ "$(lines)" -gt "$1" ]; }
at_least() { # N PATH...
  local n=$1
  shift
  [ "$(field "$@")" -ge "$n" ]
}

start_exporter() {
  "$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root >>"$work/out.jsonl" \
    2>>"$work/exporter.log" &
  exp=$!
  pids+=("$exp")
}

"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" &
cap=$!
pids+=("$cap")
wait_until 10 test -e "$dir/asimdns-$ring-cursor" || fail "capture did not create the ring in $dir"
[ "$(stat -c '%U %a' "$dir")" = "root 755" ] || fail "ring directory is $(stat -c '%U %a' "$dir")"
: >"$work/out.jsonl"
start_exporter
wait_until 15 more_lines 200 || fail "nothing delivered"

# 1. cursor truncated and restored under both services.
truncate -s0 "$dir/asimdns-$ring-cursor"
truncate -s4096 "$dir/asimdns-$ring-cursor"
n0=$(lines)
wait_until 15 at_least 1 capture counters cursor_reinits ||
  fail "capture did not re-initialise the cursor object"
wait_until 15 more_lines $((n0 + 1000)) || fail "delivery did not resume ($(lines) lines)"
alive "$cap" || fail "capture exited"
[ "$(field capture pid)" = "$cap" ] || fail "capture pid changed"
alive "$exp" || fail "exporter exited"
grep -q "attaching again" "$work/exporter.log" || fail "the exporter did not re-attach"
# A re-attach is no stop: the run's totals line says so.
grep -q "detaching: .* records exported" "$work/exporter.log" || fail "no 'detaching:' totals line"
! grep -q "stopping: " "$work/exporter.log" || fail "a re-attach logged 'stopping:'"
echo "1. cursor truncated+restored: re-initialised by capture $cap, exporter re-attached, $(lines) lines"
passed=$((passed + 1))

# 2. garbage exporter counters: never shown, not inherited.
garbage=9754826355999505271
scribble() { # offset 512 + 8 * index of records_exported (1)
  python3 - "$dir/asimdns-$ring-cursor" "$garbage" <<'PY'
import mmap, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 4096)
m[520:528] = struct.pack("<Q", int(sys.argv[2]))
m.close()
os.close(fd)
PY
}
scribble
for _ in 1 2 3 4 5; do
  v=$(field exporter counters records_exported)
  [ "$v" -lt $((1 << 41)) ] || fail "status shows records_exported $v"
  sleep 0.3
done
kill -TERM "$exp"
wait_exit "$exp" 15 "exporter" || true
scribble
start_exporter
wait_until 15 at_least 1 exporter counters counters_reset ||
  fail "the new exporter did not count a counters reset"
v=$(field exporter counters records_exported)
[ "$v" -lt $((1 << 41)) ] || fail "new exporter inherited records_exported $v"
echo "2. garbage counters: status showed at most $v, new exporter reset them (counted)"
passed=$((passed + 1))

# 3. a FIFO on a ring object's name: refused at once, never waited on.
fifo_ring="it-fifo-$$"
mkfifo -m 644 "$dir/asimdns-$fifo_ring-data"
t0=$SECONDS
rc=0
timeout 10 "$cli" status --ring "$fifo_ring" --ring-dir "$dir" >"$work/fifo.out" 2>&1 || rc=$?
[ "$rc" -ne 124 ] || fail "asimdns status hung on a FIFO"
[ $((SECONDS - t0)) -le 2 ] || fail "asimdns status took $((SECONDS - t0)) s on a FIFO"
grep -q "not a regular file" "$work/fifo.out" || fail "no refusal: $(cat "$work/fifo.out")"
rm -f "$dir/asimdns-$fifo_ring-data"
echo "3. FIFO squat refused at once (exit $rc)"
passed=$((passed + 1))

# --max-idle while the ring never appears (an error, exit 1): exporter_ux.

echo "$passed passed, 0 failed"
