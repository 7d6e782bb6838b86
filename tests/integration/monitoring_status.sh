#!/usr/bin/env bash
# Integration: `asimdns status --check capture|exporter` exit codes (0 healthy, 1 degraded,
# 2 down) and /readyz, with each state provoked for real in real processes:
#   1. healthy: capture (synthetic), exporter (otlp_http) and receiver running and delivering
#   2. exporter failing to deliver: receiver killed (and back): exporter 1, /readyz 503, and
#      the exporter logs "receiver unavailable" and "receiver back" once each
#   3. stale capture: capture SIGSTOPped: capture 1, /readyz 503; SIGCONT: healthy again
#   4. stale exporter: exporter SIGSTOPped: exporter 1; killed: exporter 2
#   5. capture killed (SIGKILL): capture 2
#   6. drops rising: small ring, no exporter, capture faster than nothing: capture 1
#      ("records dropped (ring full) in the last ..."), exporter 2 (not attached)
#   7. ring nearly full: a replay fed through a FIFO in small chunks until the ring is above
#      82 % (below 100 %, so nothing is dropped), capture kept alive by comment lines:
#      capture 1 ("ring is ... % full"), no drop counted
# Deadlines are failure limits only; every wait polls.
# Usage: monitoring_status.sh BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
source "$(dirname "$0")/monitoring_lib.sh"

# ---- 1. healthy ----------------------------------------------------------------------------
echo "1. healthy" >&2
new_ring a
# 16 MiB: a minute of this rate, so the stopped-exporter phases never reach the 80 % mark.
write_synthetic_capture "$work/capture.yaml" "$ring" 16MiB 5 1000 0
start_receiver 0
port=$rx_port
mport=$(free_port)
write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$port\", timeout: 2s}
metrics: {listen: \"127.0.0.1:$mport\"}"
sed -i 's/^log: .*/log: {level: info, summary_seconds: 1}/' "$work/exporter.yaml"
start_capture capture.log
start_exporter exporter.log
expect_check capture 0 "capture pid $cap_pid running" 30
expect_check exporter 0 "exporter pid $exp_pid running.*delivering" 30
expect_http "$mport" /healthz 200 10
expect_http "$mport" /readyz 200 10
"$asimdns" status --ring "$ring" >/dev/null || fail "status (no --check) is not 0 when healthy"

# ---- 2. exporter failing to deliver ---------------------------------------------------------
echo "2. receiver down" >&2
stop_receiver
expect_check exporter 1 "exporter failing to deliver" 30
expect_check capture 0 "running" 10
expect_http "$mport" /readyz 503 30
grep -q "deliveries failing" "$work/http_body" || fail "/readyz gave no reason: $(cat "$work/http_body")"
start_receiver "$port"
expect_check exporter 0 "delivering" 30
expect_http "$mport" /readyz 200 30
grep -q "receiver unavailable" "$work/exporter.log" || fail "no 'receiver unavailable' log line"
grep -q "receiver back after" "$work/exporter.log" || fail "no 'receiver back' log line"
[ "$(grep -c "warn: receiver unavailable" "$work/exporter.log")" -eq 1 ] \
  || fail "'receiver unavailable' logged more than once for one outage"

for _ in $(seq 1 100); do
  grep -q "summary: .* records exported" "$work/exporter.log" && break
  sleep 0.1
done
grep -q "summary: .* records exported" "$work/exporter.log" || fail "no summary line in the exporter log"

# ---- 3. stale capture -----------------------------------------------------------------------
echo "3. capture stopped (SIGSTOP)" >&2
kill -STOP "$cap_pid"
expect_check capture 1 "capture heartbeat is [0-9.]+ s old" 30
expect_http "$mport" /readyz 503 10
grep -q "capture heartbeat" "$work/http_body" || fail "/readyz reason: $(cat "$work/http_body")"
"$asimdns" status --ring "$ring" >/dev/null && fail "status (no --check) is 0 with a stale capture"
kill -CONT "$cap_pid"
expect_check capture 0 "running" 30
expect_http "$mport" /readyz 200 30

# ---- 4. stale exporter, then killed ---------------------------------------------------------
echo "4. exporter stopped (SIGSTOP), then killed" >&2
kill -STOP "$exp_pid"
expect_check exporter 1 "exporter heartbeat is [0-9.]+ s old" 30
expect_check capture 0 "running" 10
kill -CONT "$exp_pid"
expect_check exporter 0 "delivering" 30
kill_wait KILL "$exp_pid"
expect_check exporter 2 "exporter pid $exp_pid is gone" 10

# ---- 5. capture killed ----------------------------------------------------------------------
echo "5. capture killed (SIGKILL)" >&2
kill_wait KILL "$cap_pid"
expect_check capture 2 "capture pid $cap_pid is gone" 10
stop_receiver

# ---- 6. drops rising -------------------------------------------------------------------------
echo "6. drops rising (1 MiB ring, no exporter)" >&2
new_ring b
write_synthetic_capture "$work/capture.yaml" "$ring" 1MiB 6 20000 0
start_capture capture6.log
expect_check capture 1 "[0-9]+ records dropped \(ring full\) in the last [0-9.]+ s" 30
expect_check exporter 2 "exporter is not attached" 10
kill_wait TERM "$cap_pid"
expect_check capture 2 "capture is not running" 10

# ---- 7. ring nearly full, nothing dropped ---------------------------------------------------
echo "7. ring nearly full (replay through a FIFO, no exporter)" >&2
new_ring c
"$build/tests/integration/integration_replay_writer" "$work/events.replay" 20000 \
  || fail "replay writer failed"
grep -v '^#' "$work/events.replay" >"$work/events.lines"
mkfifo "$work/feed"
cat >"$work/capture.yaml" <<YAML
source:
  type: replay
  replay: {file: "$work/feed", rate: 0}
ring: {name: $ring, size: 1MiB}
YAML
start_capture capture7.log
exec 3>"$work/feed" # opens when capture has opened the FIFO for reading
used_pct() {
  { "$asimdns" status --ring "$ring" --json || true; } | python3 -c \
    'import json,sys; j=json.load(sys.stdin); print(int(100*j["used_bytes"]/j["capacity"]))'
}
fed=0
total=$(wc -l <"$work/events.lines")
# 50 records (about 2 % of the ring) at a time, so the first reading above 82 % is below 100 %.
while :; do
  [ "$fed" -lt "$total" ] || fail "the ring never got above 82 % ($(used_pct) %)"
  sed -n "$((fed + 1)),$((fed + 50))p" "$work/events.lines" >&3
  fed=$((fed + 50))
  echo "#" >&3
  # Wait until capture has written what it got (events_in stops growing below fed).
  for _ in $(seq 1 100); do
    got=$({ "$asimdns" status --ring "$ring" --json || true; } | grep -o '"events_in":[0-9]*' | head -n 1 | cut -d: -f2)
    [ "${got:-0}" -ge "$fed" ] && break
    sleep 0.05
  done
  [ "$(used_pct)" -gt 82 ] && break
done
echo "  fed $fed records, ring $(used_pct) % used" >&2
# Keep capture's heartbeat going: it ticks once per line read.
( while :; do echo "#"; sleep 0.2; done ) >&3 &
keep_pid=$!
pids+=("$keep_pid")
exec 3>&-
expect_check capture 1 "ring is [0-9.]+ % full" 10
grep -q "dropped" <<<"$chk_out" && fail "records were dropped: $chk_out"
[ "$(counter dropped_ring_full)" -eq 0 ] || fail "dropped_ring_full is $(counter dropped_ring_full)"
expect_check exporter 2 "exporter is not attached" 10
kill_wait TERM "$keep_pid"
kill_wait TERM "$cap_pid"
# Sanitizer builds: a report in any log fails the test (the processes stopped normally).
if grep -l "Sanitizer\|runtime error:" "$work"/*.log >&2; then
  fail "sanitizer report in the logs above"
fi
echo "PASS" >&2
