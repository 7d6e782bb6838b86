#!/usr/bin/env bash
# bench/aggregate_dnstap.sh: bytes sent with aggregation off and on for the Unbound dnsperf
# workload of bench/dnstap.sh:
#
#   dnsperf -> Unbound (dnstap) -> asimdns-capture -> ring -> asimdns-exporter (nng req,
#   OTLP protobuf) -> `asimdns sink` (asim-json) -> awk (counts)
#
# Twice, with the same query file and rate: `aggregate` off, then on (window WINDOW, default
# key). Per run: the events capture wrote, the rows delivered, their EventCount sum (must equal
# the events), the exporter's bytes_sent (OTLP request bytes handed to nng) and bytes per event.
#
# usage: bench/aggregate_dnstap.sh [BUILD_DIR=build] [SECONDS=10]
#   env: QPS (dnsperf -Q, default 3000: both runs get the same offered load), WINDOW (10s)
# Needs: unbound, unbound-control, dnsperf, python3 (scripts/deps --dns-servers).
source "$(dirname "$0")/../scripts/lib/strict.sh"

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build}
build=$(cd "$build" && pwd)
secs=${2:-10}
qps=${QPS:-3000}
window=${WINDOW:-10s}

# run MODE: one pipeline run in a subshell (the lib's cleanup runs at its exit); prints
# "events rows eventcount_sum bytes_sent".
run() {
  (
    dl_build=$build
    dl_tag=bench-agg-$1
    source "$root/tests/integration/dnstap_load_lib.sh"
    absent=$(dl_tools_missing)
    [ -z "$absent" ] || { echo "bench/aggregate_dnstap.sh: missing $absent (scripts/deps --dns-servers)" >&2; exit 1; }
    if [ "$1" = on ]; then
      DL_EXPORTER_EXTRA="aggregate: {enabled: true, window: $window, max_keys: 65536}"
    fi
    export DL_EXPORTER_EXTRA
    dl_setup
    dl_write_zone_and_queries 1000
    dl_start_pipeline 256MiB
    dl_start_unbound
    dl_dnsperf "$secs" "$qps"
    dl_unbound_stats
    DL_SETTLE=1 dl_stop_unbound_and_drain
    # A stop sends the rows still open; the counters stay in the ring's cursor.
    kill -TERM "$dl_exporter_pid"
    _gone() { ! dl_alive "$dl_exporter_pid"; }
    dl_wait_for 60 "the exporter to stop" _gone
    dl_stop_pipeline
    echo "$(dl_field records_written "$dl_json") $(dl_delivered_field lines)" \
      "$(dl_delivered_field events) $(dl_field bytes_sent "$dl_json")"
  )
}

read -r ev_off rows_off sum_off bytes_off < <(run off)
read -r ev_on rows_on sum_on bytes_on < <(run on)
for m in off on; do
  eval "ev=\$ev_$m sum=\$sum_$m"
  [ "$ev" -gt 0 ] && [ "$sum" -eq "$ev" ] ||
    { echo "bench/aggregate_dnstap.sh: aggregate $m: $ev events written, EventCount sum $sum" >&2; exit 1; }
done
echo "bench/aggregate_dnstap.sh: dnsperf ${secs}s at QPS $qps, Unbound $(unbound -V | awk 'NR == 1 { print $2 }')," \
  "window $window, default key, $(nproc) cores"
printf "| %-9s | %8s | %8s | %14s | %12s | %9s |\n" aggregate events rows "EventCount sum" "bytes sent" bytes/event
printf "|%s|%s|%s|%s|%s|%s|\n" ----------- ---------- ---------- ---------------- -------------- -------------
for m in off on; do
  eval "ev=\$ev_$m rows=\$rows_$m sum=\$sum_$m bytes=\$bytes_$m"
  printf "| %-9s | %8d | %8d | %14d | %12d | %9.1f |\n" "$m" "$ev" "$rows" "$sum" "$bytes" \
    "$(awk -v b="$bytes" -v e="$ev" 'BEGIN { print b / e }')"
done
awk -v a="$bytes_off" -v b="$bytes_on" -v ea="$ev_off" -v eb="$ev_on" -v r="$rows_on" \
  'BEGIN { printf "bytes per event -%.1f %%, rows per event %.3f\n", 100 * (1 - (b / eb) / (a / ea)), r / eb }'
