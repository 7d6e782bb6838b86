#!/usr/bin/env bash
# Integration, faults: real capture, exporter (otlp_http) and test receiver processes.
#   1. The receiver goes down for DOWN seconds while records keep coming, then comes back on
#      the same port: nothing is lost, the ring absorbed the backlog, and the exporter never
#      committed past what was acknowledged.
#   2. The exporter is killed with SIGKILL KILLS times mid-stream and restarted: nothing is
#      lost, and each kill re-sends at most the batches in flight (batch.max_in_flight), counted from the
#      record ids the receiver got.
# Usage: delivery_faults.sh BUILD_DIR [DOWN_SECONDS=10] [KILLS=5]
# (CI runs the short outage; run with 30 by hand for the long one.)
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
down=${2:-10}
kills=${3:-5}
BATCH=500


# ---- 1. receiver down, then back ----------------------------------------------------------
rate=2000
n=$(( rate * (down + 4) ))
write_capture_config "$n" "$rate"
start_receiver 0
port=$rx_port
# timeout 10s: the test receiver handles one request at a time, so with batches in flight one
# answer waits for another request's decoding (seconds under ASan); an answer later than the
# timeout makes a re-send, i.e. duplicates beyond what an outage or a kill causes.
write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$port\", timeout: 10s}"
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" &
cap_pid=$!
pids+=("$cap_pid")
start_exporter exporter.log
sleep 1.5
stop_receiver
echo "receiver down for ${down}s" >&2
sleep "$down"
# Meanwhile the cursor stays at the last acknowledged batch.
acked=$(counter records_exported)
[ "$(wc -l <"$work/ids")" -ge "$acked" ] || fail "exporter counted more than the receiver got"
start_receiver "$port"
wait_exit "$cap_pid" 120 || fail "capture failed"
# Let the exporter drain, then stop it with SIGTERM (clean shutdown).
for _ in $(seq 1 300); do
  [ "$(counter records_exported)" -ge "$n" ] && break
  sleep 0.1
done
kill -TERM "$exp_pid"
wait_exit "$exp_pid" 120 || fail "exporter did not stop cleanly on SIGTERM"
dups=$(check_ids "$work/ids" 1 "$n")
retried=$(counter batches_retried)
[ "$retried" -ge 1 ] || fail "no retries while the receiver was down"
[ "$(counter dropped_ring_full)" -eq 0 ] || fail "the ring overflowed"
echo "outage: $n records, $retried retries, $dups duplicates" >&2
[ "$dups" -le $(( in_flight * BATCH )) ] || fail "$dups duplicates after one outage"
stop_receiver
"$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null

# ---- 2. exporter killed with SIGKILL --------------------------------------------------------
rm -f "$work/ids" "$work/records.jsonl" "$work/requests.log"
rate=5000
n=30000
write_capture_config "$n" "$rate"
start_receiver 0
write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$rx_port\", timeout: 10s}"
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture2.log" &
cap_pid=$!
pids+=("$cap_pid")
for i in $(seq 1 "$kills"); do
  start_exporter exporter2.log
  sleep 0.$((5 + RANDOM % 5))
  kill -KILL "$exp_pid"
  wait "$exp_pid" 2>/dev/null || true # reaped, so the next exporter may attach at once
done
wait_exit "$cap_pid" 120 || fail "capture failed"
start_exporter exporter2.log --max-idle 2
wait_exit "$exp_pid" 120 || fail "final exporter failed"
dups=$(check_ids "$work/ids" 1 "$n")
echo "kills: $kills, $n records, $dups duplicates, duplicates_possible $(counter duplicates_possible)" >&2
[ "$dups" -le $((kills * in_flight * BATCH)) ] ||
  fail "$dups duplicates: more than $in_flight batches in flight per kill"
[ "$(counter sequence_gaps)" -eq 0 ] || fail "sequence gaps"
echo "1 passed, 0 failed: receiver down ${down}s and $kills SIGKILLs, nothing lost"
