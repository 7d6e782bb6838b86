#!/usr/bin/env bash
# Integration: the exporter's metrics endpoint during a real run (capture synthetic ->
# exporter otlp_http -> test receiver).
#   - every scrape (several while records flow, one at the end) is valid Prometheus text
#     format, every line checked by tests/prom_check.py (grammar plus asimdns' naming rules)
#   - /healthz 200; /readyz 200 while capture runs and deliveries succeed, 503 once capture
#     has stopped
#   - at the end the counters match what the receiver got: records exported = records the
#     receiver accepted = events in = records written; batches ok = requests the receiver
#     answered 200 = the latency histogram's count; nothing dropped, no sequence gaps
# Usage: monitoring_metrics.sh BUILD_DIR [N]
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
source "$(dirname "$0")/monitoring_lib.sh"
n=${2:-6000}

new_ring m
write_synthetic_capture "$work/capture.yaml" "$ring" 16MiB 9 2000 "$n"
start_receiver 0
mport=$(free_port)
BATCH=250
write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$rx_port\", timeout: 5s}
metrics: {listen: \"127.0.0.1:$mport\"}"
start_exporter exporter.log
expect_http "$mport" /healthz 200 20
# Before capture exists: not ready (not attached), metrics still served and valid.
expect_http "$mport" /readyz 503 10
scrape "$mport" "$work/scrape0.txt"
[ "$(metric "$work/scrape0.txt" asimdns_ring_readable component=exporter)" -eq 0 ] \
  || fail "ring_readable is not 0 before the ring exists"

start_capture capture.log
expect_http "$mport" /readyz 200 30
i=1
while kill -0 "$cap_pid" 2>/dev/null; do
  scrape "$mport" "$work/scrape$i.txt"
  i=$((i + 1))
  [ "$i" -le 200 ] || fail "capture still running after 200 scrapes"
  sleep 0.3
done
wait "$cap_pid" || fail "capture failed"
[ "$i" -ge 2 ] || fail "no scrape while records flowed"
echo "  $((i - 1)) scrapes during the run" >&2

# Drained: the exporter reports everything delivered.
for _ in $(seq 1 300); do
  [ "$(counter records_exported)" -ge "$n" ] && break
  sleep 0.1
done
expect_http "$mport" /readyz 503 10
grep -q "capture is not running" "$work/http_body" || fail "/readyz reason: $(cat "$work/http_body")"
final="$work/scrape_final.txt"
scrape "$mport" "$final"
got=$(sort -u "$work/ids" | wc -l)
ok_requests=$(awk '$2 == 200' "$work/requests.log" | wc -l)
exported=$(metric "$final" asimdns_records_exported_total component=exporter)
echo "  receiver: $got records in $ok_requests accepted requests; /metrics: $exported exported" >&2
[ "$exported" -eq "$n" ] || fail "records_exported_total $exported, expected $n"
[ "$got" -eq "$exported" ] || fail "the receiver got $got records, /metrics says $exported"
[ "$(metric "$final" asimdns_events_in_total component=capture)" -eq "$n" ] || fail "events_in"
[ "$(metric "$final" asimdns_records_written_total component=capture)" -eq "$n" ] || fail "written"
[ "$(metric "$final" asimdns_records_read_total component=exporter)" -eq "$n" ] || fail "read"
batches=$(metric "$final" asimdns_batches_total component=exporter result=ok)
[ "$batches" -eq "$ok_requests" ] || fail "batches ok $batches, receiver accepted $ok_requests requests"
[ "$(metric "$final" asimdns_delivery_latency_seconds_count component=exporter)" -eq "$batches" ] \
  || fail "latency histogram count is not the number of acknowledged batches"
[ "$(metric "$final" asimdns_batches_total component=exporter result=failed)" -eq 0 ] || fail "failed batches"
for r in ring_full too_large; do
  [ "$(metric "$final" asimdns_records_dropped_total component=capture reason=$r)" -eq 0 ] || fail "dropped $r"
done
[ "$(metric "$final" asimdns_sequence_gaps_total component=exporter)" -eq 0 ] || fail "sequence gaps"
[ "$(metric "$final" asimdns_up component=capture)" -eq 0 ] || fail "capture up after it stopped"
[ "$(metric "$final" asimdns_up component=exporter)" -eq 1 ] || fail "exporter not up"
[ "$(metric "$final" asimdns_health component=capture)" -eq 2 ] || fail "capture health after stop"
[ "$(metric "$final" asimdns_ring_used_bytes component=capture)" -eq 0 ] || fail "ring not drained"
rss=$(metric "$final" asimdns_process_resident_memory_bytes component=exporter)
[ "${rss%.*}" -gt 0 ] || fail "exporter RSS is $rss"
metric "$final" asimdns_process_cpu_seconds_total component=exporter >/dev/null
# A counter never goes down between scrapes.
prev=0
for f in "$work"/scrape[0-9]*.txt "$final"; do
  v=$(python3 "$(dirname "$0")/../prom_check.py" "$f" --value asimdns_records_exported_total component=exporter 2>/dev/null || echo 0)
  [ "$v" -ge "$prev" ] || fail "records_exported_total went down ($prev -> $v in $f)"
  prev=$v
done
kill_wait TERM "$exp_pid"
# Sanitizer builds: a report in any log fails the test (the processes stopped normally).
if grep -l "Sanitizer\|runtime error:" "$work"/*.log >&2; then
  fail "sanitizer report in the logs above"
fi
echo "PASS" >&2
