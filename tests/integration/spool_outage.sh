#!/usr/bin/env bash
# Integration, disk spool (docs/SPOOL.md): real capture, exporter (otlp_http) and receiver.
#   1. A small ring, the receiver down for DOWN seconds at a rate that overflows the ring about
#      ten times over, the exporter SIGKILLed KILLS/2 times during the outage and KILLS/2 times
#      during the drain: every record id arrives, the capture dropped nothing (the spool took
#      the backlog), duplicates at most the batches in flight (batch.max_in_flight) per kill.
#   2. A reboot's effect: receiver down, records spooled, then capture and exporter SIGKILLed
#      and the ring removed; a new capture and exporter start: everything that was in the
#      spool arrives.
# Usage: spool_outage.sh BUILD_DIR [DOWN_SECONDS=20] [KILLS=10]
# (bench/spool_outage_long.sh runs the 3-minute outage.)
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
down=${2:-20}
kills=${3:-10}
BATCH=500
rate=${RATE:-4000}

write_spool_exporter() {
  write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$1\", timeout: 2s}
spool: {enabled: true, directory: $work/spool, max_size: 256MiB, fsync: batch}"
}

# ---- 1. outage with kills -----------------------------------------------------------------
n=$(( rate * down ))
write_synthetic_capture "$work/capture.yaml" "$ring" 1MiB 11 "$rate" "$n"
start_receiver 0
port=$rx_port
write_spool_exporter "$port"
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" &
cap_pid=$!
pids+=("$cap_pid")
start_exporter exporter.log
sleep 1
stop_receiver
half=$(( kills / 2 ))
slice=$(( down / (half + 1) ))
[ "$slice" -ge 1 ] || slice=1
for i in $(seq 1 "$half"); do
  sleep "$slice"
  kill -KILL "$exp_pid"
  wait "$exp_pid" 2>/dev/null || true
  start_exporter exporter.log
done
wait_exit "$cap_pid" $(( down + 60 )) || fail "capture failed"
[ "$(counter dropped_ring_full)" -eq 0 ] || fail "the ring overflowed: the spool did not take the backlog"
spooled=$(counter spool_records_written)
ring_bytes=$(status_counter "$ring" bytes_written capture)
echo "outage: $n records at $rate/s, $spooled spooled, $(( ${ring_bytes:-0} / 1048576 )) MiB through a 1 MiB ring" >&2
[ "${ring_bytes:-0}" -ge $(( 10 * 1048576 )) ] || fail "the outage did not overflow the ring 10x (${ring_bytes:-0} bytes)"
start_receiver "$port"
for i in $(seq 1 $(( kills - half ))); do
  sleep 0.$((3 + RANDOM % 5))
  kill -KILL "$exp_pid"
  wait "$exp_pid" 2>/dev/null || true
  start_exporter exporter.log
done
for _ in $(seq 1 600); do
  [ -f "$work/ids" ] && [ "$(sort -u "$work/ids" | wc -l)" -ge "$n" ] && break
  sleep 0.2
done
kill -TERM "$exp_pid"
wait_exit "$exp_pid" 60 || fail "exporter did not stop cleanly"
dups=$(check_ids "$work/ids" 1 "$n")
echo "outage + $kills SIGKILLs: $n records, $dups duplicates" >&2
[ "$dups" -le $(( kills * in_flight * BATCH )) ] ||
  fail "$dups duplicates: more than $in_flight batches in flight per kill"
[ "$(counter records_lost_spool_corrupt)" -eq 0 ] || fail "spool losses counted"
stop_receiver
"$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null

# ---- 2. reboot: capture and exporter killed, ring removed -------------------------------------
rm -f "$work/ids" "$work/records.jsonl" "$work/requests.log"
n2=5000
write_synthetic_capture "$work/capture.yaml" "$ring" 1MiB 12 2000 "$n2"
start_receiver 0
port=$rx_port
write_spool_exporter "$port"
stop_receiver
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture3.log" &
cap_pid=$!
pids+=("$cap_pid")
start_exporter exporter3.log
spooled_all() { local c; c=$(counter spool_records_written); [ "${c:-0}" -ge "$n2" ]; }
wait_until 60 spooled_all || fail "records did not reach the spool"
kill -KILL "$exp_pid" || true
kill -KILL "$cap_pid" 2>/dev/null || true # it may have written its records and ended
wait "$exp_pid" 2>/dev/null || true
wait "$cap_pid" 2>/dev/null || true
"$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null
# After the "reboot": a new capture (a new ring, one record) and exporter.
write_synthetic_capture "$work/capture.yaml" "$ring" 1MiB 13 10 1
start_receiver "$port"
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture4.log" &
cap_pid=$!
pids+=("$cap_pid")
start_exporter exporter4.log --max-idle 3
wait_exit "$exp_pid" 120 || fail "exporter after the reboot failed"
# The ids of the old ring's generation (the one with most lines) must all be there.
old=$(sed 's/-.*//' "$work/ids" | sort | uniq -c | sort -rn | awk 'NR==1{print $2}')
grep "^$old-" "$work/ids" >"$work/ids.old" || fail "no records of the old ring arrived"
dups=$(check_ids "$work/ids.old" 1 "$n2")
echo "reboot: $n2 spooled records of the removed ring delivered, $dups duplicates" >&2
echo "2 passed, 0 failed: spool outage with $kills SIGKILLs and a reboot, nothing lost"
