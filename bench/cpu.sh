#!/usr/bin/env bash
# bench/cpu.sh: what the collector costs on a DNS server at a given event rate, as CPU % of one
# core for asimdns-capture and asimdns-exporter separately, and CPU-µs per event:
#
#   synthetic R   asimdns-capture (synthetic source, source.synthetic.rate R, DNS Server mix)
#   dnstap Q      dnsperf at Q queries/s -> Unbound (1 thread, dnstap CLIENT_QUERY and
#                 CLIENT_RESPONSE: 2 frames per query) -> asimdns-capture (dnstap)
#   both then     -> shared-memory ring -> asimdns-exporter (otlp_http, compression gzip, the
#                 default batch settings) -> exporter_test_receiver on loopback
#
# The receiver, Unbound and dnsperf run outside the measured processes. Each run warms up for
# WARMUP seconds (default 3: connections open, ring pages touched), then measures SECONDS
# (default 30): CPU = utime + stime of the process (all threads) from /proc/PID/stat at both
# ends; events = records_written (capture) and records_exported (exporter) from `asimdns status
# --json` at both ends. Then capture stops, the exporter drains the ring and the run fails
# unless nothing was dropped (every loss counter of dnstap.sh is 0) and records_exported =
# records_written.
#
# Targets (issue: CPU per event), printed as measured / target (<= 1.00 meets it) at 20k/s:
# exporter <= 3 % of one core with gzip on, capture <= 1 %.
#
# usage: bench/cpu.sh [BUILD_DIR=build] [SECONDS=30]
#   env: RATES (synthetic events/s, default "5000 20000 100000"), QPS (dnsperf queries/s,
#        default 10000 = 20000 dnstap frames/s; empty = skip the dnstap run), WARMUP (default 3),
#        RING_SIZE (default 256MiB)
# Needs: for the dnstap run unbound, unbound-control, dnsperf, python3 (scripts/deps
# --dns-servers); the receiver is the test build's tests/exporter/exporter_test_receiver.
source "$(dirname "$0")/../scripts/lib/strict.sh"

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
dl_build=$(cd "${1:-$root/build}" && pwd)
secs=${2:-30}
rates=${RATES-"5000 20000 100000"}
qps=${QPS-10000}
warmup=${WARMUP:-3}
ring_size=${RING_SIZE:-256MiB}
target_capture=1 # % of one core
target_exporter=3
dl_tag=bench-cpu
source "$root/tests/integration/dnstap_load_lib.sh"

rx_bin=$dl_build/tests/exporter/exporter_test_receiver
[ -x "$rx_bin" ] || { echo "bench/cpu.sh: missing $rx_bin (ninja -C $dl_build)" >&2; exit 1; }
if [ -n "$qps" ]; then
  absent=$(dl_tools_missing)
  [ -z "$absent" ] || { echo "bench/cpu.sh: missing $absent (scripts/deps --dns-servers; or QPS= to skip dnstap)" >&2; exit 1; }
fi
dl_setup
base_ring=$dl_ring
hz=$(getconf CLK_TCK)

# The receiver, shared by every run.
"$rx_bin" --listen "http://127.0.0.1:0" --port-file "$dl_work/port" --max-idle 3600 \
  2>"$dl_work/receiver.log" &
rx_pid=$!
dl_pids+=("$rx_pid")
_rx_up() { dl_alive "$rx_pid" || dl_fail "receiver exited"; [ -s "$dl_work/port" ]; }
dl_wait_for 20 "the receiver" _rx_up
rx_port=$(cat "$dl_work/port")

# ticks PID: utime + stime of PID (every thread) in clock ticks. The comm field may hold spaces:
# the fields are counted after its closing parenthesis.
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# run_one KIND RATE: one measured run; appends a line to $dl_work/results:
#   kind rate events_per_s cap_cpu_pct cap_us exp_cpu_pct exp_us written
run_one() {
  local kind=$1 rate=$2
  run_no=$((run_no + 1))
  dl_ring="$base_ring-$run_no"
  rm -f "$dl_work"/capture.log "$dl_work"/exporter.log "$dl_work"/dnstap.sock
  if [ "$kind" = synthetic ]; then
    cat >"$dl_work/capture.yaml" <<YAML
source:
  type: synthetic
  synthetic: {seed: 7, rate: $rate, count: 0, mix: dns_server}
ring: {name: $dl_ring, size: $ring_size}
log: {level: info}
YAML
  else
    dl_write_capture_yaml "$ring_size"
  fi
  cat >"$dl_work/exporter.yaml" <<YAML
ring: {name: $dl_ring}
exporter: {type: otlp_http}
otlp_http: {endpoint: "http://127.0.0.1:$rx_port", compression: gzip, timeout: 30s}
host_name: dns01.$dl_zone
log: {level: info}
YAML
  "$dl_build/capture/asimdns-capture" -c "$dl_work/capture.yaml" 2>"$dl_work/capture.log" &
  dl_capture_pid=$!
  dl_pids+=("$dl_capture_pid")
  _ring_up() { dl_alive "$dl_capture_pid" || dl_fail "asimdns-capture exited"; [[ $(dl_status) == *'"producer_pos"'* ]]; }
  dl_wait_for 20 "the ring" _ring_up
  "$dl_build/exporter/asimdns-exporter" -c "$dl_work/exporter.yaml" --allow-root 2>"$dl_work/exporter.log" &
  dl_exporter_pid=$!
  dl_pids+=("$dl_exporter_pid")
  local perf_pid=
  if [ "$kind" = dnstap ]; then
    _dl_socket() { dl_alive "$dl_capture_pid" || dl_fail "asimdns-capture exited"; [ -S "$dl_work/dnstap.sock" ]; }
    dl_wait_for 20 "the dnstap socket" _dl_socket
    dl_start_unbound
    # dnsperf outlasts the window by a second; its own summary is not needed.
    dnsperf -s 127.0.0.1 -p "$dl_port" -d "$dl_work/queries.txt" -l $((warmup + secs + 1)) -c 4 -q 200 \
      -t 5 -Q "$rate" >"$dl_work/dnsperf.log" 2>&1 &
    perf_pid=$!
    dl_pids+=("$perf_pid")
  fi
  sleep "$warmup"
  local j0 j1 c0 c1 e0 e1 t0 t1
  j0=$(dl_status)
  c0=$(ticks "$dl_capture_pid")
  e0=$(ticks "$dl_exporter_pid")
  t0=$(date +%s.%N)
  sleep "$secs"
  j1=$(dl_status)
  c1=$(ticks "$dl_capture_pid")
  e1=$(ticks "$dl_exporter_pid")
  t1=$(date +%s.%N)
  dl_alive "$dl_exporter_pid" || dl_fail "asimdns-exporter exited"

  # Stop the source, drain, check: nothing lost, everything written was exported.
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || dl_fail "dnsperf failed: $(tail -n 3 "$dl_work/dnsperf.log")"
    kill -TERM "$dl_unbound_pid"
    wait "$dl_unbound_pid" 2>/dev/null || true
  fi
  kill -TERM "$dl_capture_pid"
  wait "$dl_capture_pid" || dl_fail "asimdns-capture failed"
  _drained() {
    dl_alive "$dl_exporter_pid" || dl_fail "asimdns-exporter exited"
    local j
    j=$(dl_status)
    [ "$(dl_field records_exported "$j")" -ge "$(dl_field records_written "$j")" ]
  }
  dl_wait_for 120 "the exporter to drain the ring" _drained
  local jend c drops=0
  jend=$(dl_status)
  kill -TERM "$dl_exporter_pid"
  wait "$dl_exporter_pid" || dl_fail "asimdns-exporter failed"
  for c in $dl_loss_counters; do drops=$((drops + $(dl_field "$c" "$jend"))); done
  [ "$drops" -eq 0 ] || dl_fail "$kind $rate: $drops records lost (status: $jend)"
  "$dl_cli" remove-ring --ring "$dl_ring" >/dev/null 2>&1 || true

  awk -v kind="$kind" -v rate="$rate" -v hz="$hz" -v t0="$t0" -v t1="$t1" \
    -v w0="$(dl_field records_written "$j0")" -v w1="$(dl_field records_written "$j1")" \
    -v x0="$(dl_field records_exported "$j0")" -v x1="$(dl_field records_exported "$j1")" \
    -v c="$((c1 - c0))" -v e="$((e1 - e0))" -v total="$(dl_field records_written "$jend")" 'BEGIN {
      wall = t1 - t0; w = w1 - w0; x = x1 - x0
      cs = c / hz; es = e / hz
      printf "%s %s %.0f %.3f %.2f %.3f %.2f %d\n", kind, rate, w / wall, 100 * cs / wall,
        (w > 0 ? cs * 1e6 / w : 0), 100 * es / wall, (x > 0 ? es * 1e6 / x : 0), total }' \
    >>"$dl_work/results"
}

: >"$dl_work/results"
run_no=0
for r in $rates; do run_one synthetic "$r"; done
if [ -n "$qps" ]; then
  dl_write_zone_and_queries 1000
  run_one dnstap "$qps"
fi

echo "bench/cpu.sh: ${secs}s per run after ${warmup}s warm-up, exporter otlp_http gzip -> receiver," \
  "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), build $dl_build"
echo "CPU % = CPU seconds (user + system, all threads) / wall seconds x 100; one core = 100 %."
echo "vs target = measured / target (capture ${target_capture} %, exporter ${target_exporter} % of one core, set for 20k events/s; <= 1.00 meets it)."
printf "| %-18s | %9s | %13s | %9s | %13s | %14s | %9s | %13s | %10s |\n" source events/s "capture CPU %" \
  "vs target" "capture µs/ev" "exporter CPU %" "vs target" "exporter µs/ev" "drops"
printf "|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n" -------------------- ----------- --------------- ----------- \
  --------------- ---------------- ----------- --------------- ------------
while read -r kind rate eps cpct cus epct eus _; do
  label="synthetic $rate/s"
  [ "$kind" = dnstap ] && label="dnstap $rate q/s"
  printf "| %-18s | %9s | %13s | %9s | %13s | %14s | %9s | %13s | %10s |\n" "$label" "$eps" "$cpct" \
    "$(awk -v v="$cpct" -v t="$target_capture" 'BEGIN { printf "%.2f", v / t }')" "$cus" "$epct" \
    "$(awk -v v="$epct" -v t="$target_exporter" 'BEGIN { printf "%.2f", v / t }')" "$eus" 0
done <"$dl_work/results"
