#!/usr/bin/env bash
# bench/dnstap.sh: a real DNS server under load feeding the whole pipeline:
#
#   dnsperf -> Unbound (127.0.0.1, auth-zone load.test, 1 thread, dnstap CLIENT_QUERY and
#   CLIENT_RESPONSE on a Unix socket) -> asimdns-capture (dnstap) -> shared-memory ring ->
#   asimdns-exporter (nng req) -> `asimdns sink` (asim-json into a FIFO) -> awk (counts)
#
# dnsperf runs SECONDS (default 10) from 4 clients with up to 200 queries outstanding, at most
# QPS queries/s (default: no limit), over a query file of existing names (A, AAAA, MX, TXT),
# NODATA and NXDOMAIN (tests/integration/dnstap_load_lib.sh writes both zone and file). Then
# Unbound is stopped once capture has read everything it sent (or the frame count stood still
# for 3 s: Unbound drops dnstap messages itself when its 1 MiB per-worker queue is full; the
# table shows how many) and the pipeline is drained.
#
# Columns:
#   sent, completed, lost, qps   dnsperf's own summary
#   unbound q                    Unbound's total.num.queries (unbound-control stats_noreset)
#   unbound unsent               2 x unbound q - dnstap frames capture read: messages Unbound
#                                never sent (its queue overflowed); not a loss of asimdns
#   req / resp delivered         records with EventSubType request / response that reached the sink
#   rec/s                        delivered records / (time the last one was exported - dnsperf
#                                start); bounded by the offered load, and includes up to 1 s of
#                                Unbound's dnstap wake-up timer at the end
#   max backlog                  the largest records_written - records_exported seen (sampled every
#                                50 ms): how far the exporter fell behind capture
#   drops                        sum of every capture and exporter loss counter (must be 0)
#   CPU s                        user + system seconds of capture, exporter, sink and the awk
#                                that counts the sink's output, over the run
#   HWM-ring                     VmHWM minus the ring bytes the process touched (min(producer_pos,
#                                ring size)): its own memory at the peak (the ring is a shared
#                                mapping counted in RSS, see bench/README.md)
#   RssAnon                      the largest private anonymous RSS seen (sampled every 50 ms)
#
# usage: bench/dnstap.sh [BUILD_DIR=build] [SECONDS=10]
#   env: QPS (dnsperf -Q, default unlimited), RING_SIZE (default 512MiB: unlimited dnsperf on 2
#        cores filled about 240 MiB: the sink is the slowest stage and the backlog waits in the ring)
# Needs: unbound, unbound-control, dnsperf, python3 (scripts/deps --dns-servers). Run as root
# (Unbound drops to its user) or as any user (everything keeps that user).
source "$(dirname "$0")/../scripts/lib/strict.sh"

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
dl_build=${1:-$root/build}
dl_build=$(cd "$dl_build" && pwd)
secs=${2:-10}
qps=${QPS:-}
ring_size=${RING_SIZE:-512MiB}
dl_tag=bench-dnstap
source "$root/tests/integration/dnstap_load_lib.sh"

absent=$(dl_tools_missing)
[ -z "$absent" ] || { echo "bench/dnstap.sh: missing $absent (scripts/deps --dns-servers)" >&2; exit 1; }
dl_setup
dl_write_zone_and_queries 1000
dl_start_pipeline "$ring_size"
dl_start_unbound

# sampler: "time written exported capture_RssAnon exporter_RssAnon" every 50 ms until stopped.
sampler() {
  local j ca ea
  while :; do
    j=$(dl_status)
    ca=$(awk '/^RssAnon:/ { print $2 }' "/proc/$dl_capture_pid/status" 2>/dev/null || echo 0)
    ea=$(awk '/^RssAnon:/ { print $2 }' "/proc/$dl_exporter_pid/status" 2>/dev/null || echo 0)
    echo "$(date +%s.%N) $(dl_field records_written "$j") $(dl_field records_exported "$j") ${ca:-0} ${ea:-0}"
    sleep 0.05
  done >"$dl_work/samples"
}
sampler &
sampler_pid=$!
dl_pids+=("$sampler_pid")

t0=$(date +%s.%N)
dl_dnsperf "$secs" "$qps"
dl_unbound_stats
DL_SETTLE=1 dl_stop_unbound_and_drain
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true

# cpu_secs PID: user + system CPU seconds PID has used; vm KEY PID: a /proc/PID/status value (KiB).
cpu_secs() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"; }
vm() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$2/status"; }
cap_cpu=$(cpu_secs "$dl_capture_pid")
exp_cpu=$(cpu_secs "$dl_exporter_pid")
sink_cpu=$(cpu_secs "$dl_sink_pid")
awk_cpu=$(cpu_secs "$dl_awk_pid")
cap_hwm=$(vm VmHWM "$dl_capture_pid")
exp_hwm=$(vm VmHWM "$dl_exporter_pid")
dl_stop_pipeline

req=$(dl_delivered_field requests)
resp=$(dl_delivered_field responses)
total=$((req + resp))
frames=$(dl_field dnstap_frames "$dl_json")
written=$(dl_field records_written "$dl_json")
producer_pos=$(dl_field producer_pos "$dl_json")
drops=0
for c in $dl_loss_counters; do drops=$((drops + $(dl_field "$c" "$dl_json"))); done
if [ "$written" -ne "$frames" ] || [ "$total" -ne "$written" ] || [ "$(dl_delivered_field duplicates)" -ne 0 ]; then
  dl_fail "not every frame was delivered once: frames $frames, written $written, delivered $dl_delivered"
fi

size_bytes() { local n=${1%%[!0-9]*}; case "$1" in *GiB) echo $((n << 30)) ;; *MiB) echo $((n << 20)) ;; *KiB) echo $((n << 10)) ;; *) echo "$n" ;; esac; }
ring_bytes=$(size_bytes "$ring_size")
ring_kib=$(((producer_pos < ring_bytes ? producer_pos : ring_bytes) / 1024))
read -r t_last backlog cap_anon exp_anon < <(awk -v total="$total" '
  { if ($2 - $3 > backlog) backlog = $2 - $3
    if ($4 > ca) ca = $4
    if ($5 > ea) ea = $5
    if (t == "" && $3 >= total) t = $1 }
  END { printf "%s %d %d %d\n", (t == "" ? 0 : t), backlog, ca, ea }' "$dl_work/samples")
[ "$t_last" != 0 ] || t_last=$dl_t_drained
rate=$(awk -v n="$total" -v a="$t0" -v b="$t_last" 'BEGIN { printf "%.0f", n / (b - a) }')
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

echo "bench/dnstap.sh: dnsperf ${secs}s, QPS ${qps:-unlimited}, $(unbound -V | awk 'NR == 1 { print $2 }')" \
  "(1 thread), ring $ring_size, $(nproc) cores, build $dl_build"
printf "| %7s | %9s | %5s | %7s | %9s | %14s | %13s | %14s | %7s | %11s | %5s |\n" \
  sent completed lost qps "unbound q" "unbound unsent" "req delivered" "resp delivered" rec/s \
  "max backlog" drops
printf "|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n" --------- ----------- ------- --------- ----------- \
  ---------------- --------------- ---------------- --------- ------------- -------
printf "| %7d | %9d | %5d | %7.0f | %9d | %14d | %13d | %14d | %7d | %11d | %5d |\n" \
  "$dl_sent" "$dl_completed" "$dl_lost" "$dl_qps" "$dl_ub_queries" $((2 * dl_ub_queries - frames)) \
  "$req" "$resp" "$rate" "$backlog" "$drops"
echo
printf "| %-8s | %6s | %12s | %12s |\n" process "CPU s" HWM-ring RssAnon
printf "|%s|%s|%s|%s|\n" ---------- -------- -------------- --------------
printf "| %-8s | %6s | %12s | %12s |\n" capture "$cap_cpu" "$(mib $((cap_hwm - ring_kib)))" "$(mib "$cap_anon")"
printf "| %-8s | %6s | %12s | %12s |\n" exporter "$exp_cpu" "$(mib $((exp_hwm - ring_kib)))" "$(mib "$exp_anon")"
printf "| %-8s | %6s | %12s | %12s |\n" sink "$sink_cpu" - -
printf "| %-8s | %6s | %12s | %12s |\n" awk "$awk_cpu" - -
echo "(ring used $(mib "$ring_kib") of $ring_size; capture VmHWM $(mib "$cap_hwm"), exporter VmHWM $(mib "$exp_hwm");" \
  "dnsperf completed $dl_completed, Unbound answered $dl_ub_answers)"
