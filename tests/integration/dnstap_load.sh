#!/usr/bin/env bash
# Integration (load): dnsperf -> Unbound (auth-zone, dnstap client query + response) ->
# asimdns-capture (dnstap) -> ring -> asimdns-exporter (nng req) -> `asimdns sink`.
#
# After SECONDS of dnsperf at up to QPS queries/s (existing names, NODATA and NXDOMAIN), Unbound
# is stopped and the pipeline drained; then every query Unbound answered must have arrived as
# exactly one request record and one response record:
#   requests delivered  == Unbound total.num.queries
#   responses delivered == Unbound's answers (sum of num.answer.rcode.*) == dnsperf's completed
#   NXDOMAIN responses  == Unbound num.answer.rcode.NXDOMAIN
#   record ids distinct and 1..N with N = capture's records_written = dnstap frames
#   every capture and exporter loss counter 0.
# QPS is capped so that the 2-core CI machine keeps up: the test checks counting, the bench
# (bench/dnstap.sh) measures speed.
# Usage: dnstap_load.sh BUILD_DIR [SECONDS=5] [QPS=2000]   (exit 77 = skipped: tools missing)
set -euo pipefail
dl_build=$(cd "${1:?usage: $0 BUILD_DIR [SECONDS] [QPS]}" && pwd)
secs=${2:-5}
qps=${3:-2000}
dl_tag=it-dnstap-load
source "$(dirname "$0")/dnstap_load_lib.sh"

absent=$(dl_tools_missing)
if [ -n "$absent" ]; then
  echo "SKIP: $absent not installed (scripts/deps --dns-servers)"
  exit 77
fi
dl_setup
dl_write_zone_and_queries 1000
dl_start_pipeline 256MiB
dl_start_unbound
dl_dnsperf "$secs" "$qps"
dl_unbound_stats
dl_stop_unbound_and_drain
dl_stop_pipeline

req=$(dl_delivered_field requests)
resp=$(dl_delivered_field responses)
echo "dnsperf: sent $dl_sent, completed $dl_completed, lost $dl_lost; unbound: $dl_ub_queries queries," \
  "$dl_ub_answers answers ($dl_ub_nxdomain NXDOMAIN); delivered: $dl_delivered"

[ "$dl_completed" -gt 0 ] || dl_fail "dnsperf completed no queries"
[ "$req" -eq "$dl_ub_queries" ] || dl_fail "$req request records delivered, Unbound counted $dl_ub_queries queries"
[ "$resp" -eq "$dl_ub_answers" ] || dl_fail "$resp response records delivered, Unbound counted $dl_ub_answers answers"
[ "$resp" -eq "$dl_completed" ] || dl_fail "$resp response records delivered, dnsperf completed $dl_completed queries"
[ "$req" -eq "$dl_completed" ] || dl_fail "$req request records delivered, dnsperf completed $dl_completed queries"
nx=$(dl_delivered_field nxdomain)
[ "$nx" -eq "${dl_ub_nxdomain:-0}" ] || dl_fail "$nx NXDOMAIN records delivered, Unbound answered ${dl_ub_nxdomain:-0}"
[ "$nx" -gt 0 ] || dl_fail "no NXDOMAIN response arrived"
[ "$(dl_delivered_field other)" -eq 0 ] || dl_fail "records that are neither request nor response"
[ "$(dl_delivered_field duplicates)" -eq 0 ] || dl_fail "duplicate record ids"
[ "$(dl_delivered_field no_id)" -eq 0 ] || dl_fail "records without asimdns.record_id"

written=$(dl_field records_written "$dl_json")
frames=$(dl_field dnstap_frames "$dl_json")
total=$((req + resp))
[ "$written" -eq "$total" ] || dl_fail "capture wrote $written records, $total delivered"
[ "$frames" -eq "$total" ] || dl_fail "capture read $frames dnstap frames, $total records delivered"
if [ "$(dl_delivered_field unique_ids)" -ne "$total" ] || [ "$(dl_delivered_field max_seq)" -ne "$total" ]; then
  dl_fail "record ids are not exactly 1..$total: $dl_delivered"
fi
[ "$(dl_field records_exported "$dl_json")" -eq "$total" ] || dl_fail "records_exported $(dl_field records_exported "$dl_json")"
for c in $dl_loss_counters; do
  [ "$(dl_field "$c" "$dl_json")" -eq 0 ] || dl_fail "counter $c = $(dl_field "$c" "$dl_json")"
done
echo "1 passed, 0 failed: $dl_completed queries in ${secs}s -> $req requests + $resp responses delivered, no drops"
