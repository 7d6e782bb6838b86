#!/usr/bin/env bash
# Integration, aggregation (docs/CONFIG.md "aggregate"): synthetic capture -> ring -> exporter
# with aggregate: -> OTLP/HTTP receiver, the exporter SIGKILLed KILLS times mid-window and
# restarted each time, then stopped (SIGTERM: open rows are sent).
#   No loss: every original event is counted in the EventCount of a row that arrived. Rows
#   are runs of consecutive events of one key (ring order), so a row (first record id F,
#   EventCount C) covers the C events of its key from F on; the events of each key come from a
#   reference run of the same seed without aggregation. Every event must be covered; events
#   covered twice (read again after a kill) are at most one window of records plus one batch
#   per kill.
# With "spool" the exporter reads through the disk spool (the gate then holds the spool's
# acknowledgement instead of the ring cursor).
# Usage: aggregate_kill.sh BUILD_DIR [EVENTS=12000] [KILLS=3] [ring|spool]
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
n=${2:-12000}
kills=${3:-3}
via=${4:-ring}
spool_line=""
[ "$via" = spool ] && spool_line="spool: {enabled: true, directory: $work/spool, max_size: 64MiB}"
rate=2000
window_s=2
BATCH=500
seed=29

# distinct record ids (a batch whose answer came too late is sent again)
ids_arrived() { [ -f "$work/ids" ] && [ "$(sort -u "$work/ids" | wc -l)" -ge "$1" ]; }

# ---- 1. reference: each event's attributes, no aggregation --------------------------------
write_synthetic_capture "$work/capture.yaml" "$ring" 64MiB "$seed" 0 "$n"
start_receiver 0
write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$rx_port\", timeout: 30s}"
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture-ref.log" &
cap_pid=$!
pids+=("$cap_pid")
wait_exit "$cap_pid" 120 || fail "reference capture failed"
start_exporter exporter-ref.log
wait_until 120 ids_arrived "$n" || fail "reference: not all $n records arrived"
kill -TERM "$exp_pid"
wait_exit "$exp_pid" 60 || fail "reference exporter did not stop cleanly"
stop_receiver
mv "$work/records.jsonl" "$work/reference.jsonl"
rm -f "$work/ids"
"$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null

# The check: check.py REFERENCE ROWS N MAX_DUPS poll|final (poll: exit 0 once nothing is lost).
cat >"$work/check.py" <<'PY'
import json, sys
ref_path, agg_path, n, max_dups = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
poll = sys.argv[5] == "poll"
KEY = ("EventType", "EventSubType", "DnsQuery", "DnsQueryType")

def seq_of(rec):
    return int(str(rec["asimdns.record_id"]).rsplit("-", 1)[1])

def key_of(rec):
    return tuple(rec.get(k) for k in KEY)

events = {}  # seq -> key
for line in open(ref_path):
    rec = json.loads(line)
    events[seq_of(rec)] = key_of(rec)
if sorted(events) != list(range(1, n + 1)):
    sys.exit(f"reference run: {len(events)} distinct records, expected 1..{n}")
by_key, index = {}, {}
for s in sorted(events):
    lst = by_key.setdefault(events[s], [])
    index[s] = len(lst)
    lst.append(s)
covered = {s: 0 for s in events}
rows = total = multi = 0
for line in open(agg_path):
    rec = json.loads(line)
    s, c = seq_of(rec), int(rec["EventCount"])
    rows += 1
    total += c
    multi += c > 1
    if s not in events:
        sys.exit(f"row with unknown first record {s}")
    if key_of(rec) != events[s]:
        sys.exit(f"row {s}: key {key_of(rec)} is not its first record's {events[s]}")
    if rec["EventStartTime"] > rec["EventEndTime"]:
        sys.exit(f"row {s}: EventStartTime after EventEndTime")
    lst = by_key[events[s]]
    i = index[s]
    if i + c > len(lst):
        sys.exit(f"row {s}: EventCount {c} exceeds the {len(lst) - i} events of its key from there")
    for t in lst[i:i + c]:
        covered[t] += 1
lost = [s for s, k in covered.items() if k == 0]
if poll:
    sys.exit(1 if lost else 0)
dups = sum(k - 1 for k in covered.values() if k > 1)
print(f"{n} events in {rows} rows ({multi} with EventCount > 1), EventCount sum {total}, "
      f"{len(lost)} lost, {dups} counted twice (bound {max_dups})", file=sys.stderr)
if lost:
    sys.exit(f"lost events, e.g. {lost[:5]}")
if total - n != dups:
    sys.exit("EventCount sum does not match the coverage")
if dups > max_dups:
    sys.exit("more duplicates than one window and one batch per kill")
if multi == 0 or rows >= n:
    sys.exit("nothing was aggregated")
PY

# ---- 2. aggregation with SIGKILLs mid-window ------------------------------------------------
write_synthetic_capture "$work/capture.yaml" "$ring" 64MiB "$seed" "$rate" "$n"
start_receiver 0
write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$rx_port\", timeout: 30s}
aggregate: {enabled: true, window: ${window_s}s, max_keys: 4096,
            key: [EventType, EventSubType, DnsQuery, DnsQueryType]}
$spool_line"
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" &
cap_pid=$!
pids+=("$cap_pid")
start_exporter exporter.log
span=$(( n / rate ))
for i in $(seq 1 "$kills"); do
  # spread over the capture's run, never on a window boundary of the first rows
  sleep "$(awk -v s="$span" -v k="$kills" -v i="$i" 'BEGIN { printf "%.2f", s / (k + 1) + 0.3 * (i % 2) }')"
  rows=$(counter aggregate_records_in)
  kill -KILL "$exp_pid"
  wait "$exp_pid" 2>/dev/null || true
  echo "kill $i: $rows records had gone into rows" >&2
  start_exporter exporter.log
done
wait_exit "$cap_pid" 120 || fail "capture failed"
# The exporter catches up (a slow build may still be reading when capture ends): wait until
# every event is covered, at most 200 s; then stop it (open rows are sent) and check.
covered() { sleep 1; python3 "$work/check.py" "$work/reference.jsonl" "$work/records.jsonl" "$n" 0 poll 2>/dev/null; }
wait_until 200 covered || echo "not every event covered after 200 s; checking what arrived" >&2
kill -TERM "$exp_pid"
wait_exit "$exp_pid" 60 || fail "exporter did not stop cleanly"
stop_receiver
[ "$(counter dropped_ring_full)" -eq 0 ] || fail "capture dropped records"
[ "$(counter aggregate_rows_out)" -gt 0 ] || fail "asimdns status shows no aggregate_rows_out"
[ "$(counter aggregate_records_in)" -ge "$n" ] || fail "asimdns status: aggregate_records_in below $n"

# ---- 3. every event counted ---------------------------------------------------------------
max_dups=$(( kills * (window_s * rate + BATCH) ))
python3 "$work/check.py" "$work/reference.jsonl" "$work/records.jsonl" "$n" "$max_dups" final
echo "1 passed, 0 failed: aggregation ($via) with $kills SIGKILLs mid-window, nothing lost"
