#!/usr/bin/env bash
# bench/export_e2e.sh: end-to-end records/s of the two services with real processes:
#
#   asimdns-capture (synthetic, rate 0) -> shared-memory ring -> asimdns-exporter -> receiver
#
# Variants (each run separately, a fresh ring per run):
#   nng         exporter type nng (req) -> `asimdns sink --listen ipc://... --format count`
#   nng-tcp     the same over tcp://127.0.0.1 (loopback TCP has larger socket buffers than ipc://)
#   http        exporter type otlp_http, compression none -> tests/exporter receiver.c --ranges
#   http-gzip   exporter type otlp_http, compression gzip -> tests/exporter receiver.c --ranges
#   kafka-ENCODING-CODEC  exporter type kafka (encoding otlp_proto | otlp_json | asim_json,
#               compression none | gzip | lz4 | zstd | snappy, batch.max_bytes fitted to the
#               default 1 MB message) -> librdkafka's mock cluster (3 brokers, 3 partitions,
#               tests/exporter/kafka_helper.c). Delivered = records_exported: every message was
#               acknowledged by the mock brokers (acks=all). The topic is not read back: the mock
#               keeps only the last 5 MiB / 100000 message sets of a partition, far less than a
#               run; tests/integration/delivery_kafka.sh reads back and checks every record id.
# Both receivers walk the protobuf wire format (exporter/otlp_scan.h) instead of decoding every
# attribute with protobuf-c, check it, and track the asimdns.record_id sequence numbers.
#
# Seconds = from starting capture and exporter (together; start-up of a few ms included) to
# the moment `asimdns status --json` shows records_exported == RECORDS (polled every 20 ms, so
# up to 20 ms late). A run counts only when capture dropped nothing (dropped_ring_full = 0),
# the exporter exported every record and the receiver acknowledged every record: the distinct
# record-id sequence numbers it saw number RECORDS with none missing between first and last.
#
# Memory: peak RSS (VmHWM, from GNU time's "%M") of each process. The ring is a shared
# mapping: every ring page a process touches counts in its RSS (RssShmem). The capture touches
# every page of the record area when it opens the ring (docs/RING.md), so its VmHWM is the ring
# size + its own memory; the exporter touches every ring byte used (producer_pos: ~278 B/record,
# at most the ring size), so its VmHWM is that + its own memory. The table shows "VmHWM - ring
# size" for the capture, "VmHWM - ring used" for the exporter and, for
# both processes, the largest RssAnon seen by sampling
# /proc/PID/status every 20 ms (private memory only; a sample may miss a short peak).
#
# usage: bench/export_e2e.sh [BUILD_DIR=build-h10|build] [RECORDS=2000000] [VARIANTS="nng http http-gzip"]
#   env: RING_SIZE (default 1GiB, the largest: on loopback the receiver, not the exporter, is the
#        bottleneck (~55 k rec/s), so nearly all of 2,000,000 records (~556 MB in the ring
#        format) wait in the ring and must fit without drops),
#        MIX (dns_server | dns_client | both; default dns_server), BATCH (default 8192), BATCH_BYTES (batch.max_bytes; default: the exporter's),
#        REPS (runs per variant, default 1; the median by records/s is shown),
#        IN_FLIGHT (batch.max_in_flight; default: the exporter's),
#        SINK_FORMAT (nng variant: count (default) | asim-json | otlp-json, the sink's output to
#        /dev/null; asim-json and otlp-json decode with protobuf-c and measure the sink instead).
# Needs: GNU time (/usr/bin/time; Debian package `time`, in scripts/deps).
# bench/export_peer.sh runs the OpenTelemetry JS SDK peer next to bench_export.
source "$(dirname "$0")/../scripts/lib/strict.sh"

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-}
if [ -z "$build" ]; then
  for b in "$root/build-h10" "$root/build"; do [ -x "$b/exporter/asimdns-exporter" ] && { build=$b; break; }; done
fi
build=$(cd "${build:?no build dir with exporter/asimdns-exporter; pass BUILD_DIR}" && pwd)
records=${2:-2000000}
variants=${3:-"nng http http-gzip"}
ring_size=${RING_SIZE:-1GiB}
mix=${MIX:-dns_server}
batch=${BATCH:-8192}
batch_bytes=${BATCH_BYTES:-} # batch.max_bytes; empty = the exporter's default
in_flight=${IN_FLIGHT:-} # batch.max_in_flight; empty = the exporter's default
reps=${REPS:-1}
sink_format=${SINK_FORMAT:-count}

cap_bin=$build/capture/asimdns-capture
exp_bin=$build/exporter/asimdns-exporter
cli=$build/cli/asimdns
rx_bin=$build/tests/exporter/exporter_test_receiver
for b in "$cap_bin" "$exp_bin" "$cli" "$rx_bin"; do
  [ -x "$b" ] || { echo "export_e2e: missing $b (ninja -C $build)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "export_e2e: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }

# The work dir and the cleanup (pids[] stopped, the ring removed) come from the test library.
source "$root/tests/lib/testlib.sh"
tl_start "$build"
ring="bench-e2e-$$"
tl_rings+=("$ring")

die() {
  echo "export_e2e: $*" >&2
  for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }; done
  exit 1
}

size_bytes() { # 512MiB -> bytes
  local v=$1 n=${1%%[!0-9]*}
  case "$v" in *GiB) echo $((n << 30)) ;; *MiB) echo $((n << 20)) ;; *KiB) echo $((n << 10)) ;; *) echo "$n" ;; esac
}
ring_bytes=$(size_bytes "$ring_size")

status_field() { grep -o "\"$1\":[0-9]*" <<<"$2" | tail -n 1 | cut -d: -f2; }

# sample_anon PID OUTFILE: largest RssAnon (KiB) of PID until it ends, written to OUTFILE.
sample_anon() {
  local pid=$1 out=$2 max=0 v
  while v=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) && [ -n "$v" ]; do
    [ "$v" -gt "$max" ] && max=$v
    echo "$max" >"$out"
    sleep 0.02
  done
}

# child_pid PID: the single child of PID (the program /usr/bin/time started).
child_pid() {
  local c
  for _ in $(seq 1 200); do
    # The file is gone once PID has ended: then there is no child (yet) to report.
    c=$(awk '{ print $1 }' "/proc/$1/task/$1/children" 2>/dev/null) || c=
    [ -n "$c" ] && { echo "$c"; return; }
    sleep 0.005
  done
}

run_one() { # VARIANT -> appends to $work/results "seconds drops cap_hwm cap_anon exp_hwm exp_anon delivered"
  local v=$1 exporter_yaml rx_pid= sink_pid= rx_port
  pids=()
  rm -f "$work"/*.log "$work"/ranges "$work"/port "$work"/*.anon "$work"/*.hwm "$work"/sink.ipc
  "$cli" remove-ring --ring "$ring" >/dev/null 2>&1 || true
  cat >"$work/capture.yaml" <<YAML
source:
  type: synthetic
  synthetic: {seed: 7, rate: 0, count: $records, mix: $mix}
ring: {name: $ring, size: $ring_size}
YAML
  case "$v" in
    nng | nng-tcp)
      local sink_url="ipc://$work/sink.ipc"
      [ "$v" = nng-tcp ] && sink_url="tcp://127.0.0.1:$(free_port)"
      "$cli" sink --listen "$sink_url" --format "$sink_format" --out /dev/null --max-idle 60 \
        2>"$work/sink.log" &
      sink_pid=$!
      pids+=("$sink_pid")
      for _ in $(seq 1 100); do grep -q listening "$work/sink.log" 2>/dev/null && break; sleep 0.02; done
      exporter_yaml="exporter: {type: nng}
nng: {url: \"$sink_url\", mode: req, timeout: 30s}"
      ;;
    http | http-gzip)
      local comp=none
      [ "$v" = http-gzip ] && comp=gzip
      "$rx_bin" --listen "http://127.0.0.1:0" --port-file "$work/port" --ranges "$work/ranges" \
        --max-idle 600 2>"$work/receiver.log" &
      rx_pid=$!
      pids+=("$rx_pid")
      for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.02; done
      [ -s "$work/port" ] || die "receiver did not start"
      rx_port=$(cat "$work/port")
      exporter_yaml="exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$rx_port\", compression: $comp, timeout: 30s}"
      ;;
    kafka-*)
      local kenc=${v#kafka-} kcomp
      kcomp=${kenc##*-}
      kenc=${kenc%-*}
      rm -f "$work/bootstrap"
      "$build/tests/exporter/exporter_test_kafka" mock --bootstrap-file "$work/bootstrap" \
        --topic bench 2>"$work/mock.log" &
      sink_pid=$!
      pids+=("$sink_pid")
      for _ in $(seq 1 250); do [ -s "$work/bootstrap" ] && break; sleep 0.02; done
      [ -s "$work/bootstrap" ] || die "mock cluster did not start"
      exporter_yaml="exporter: {type: kafka}
kafka: {brokers: \"$(cat "$work/bootstrap")\", topic: bench, encoding: $kenc, compression: $kcomp}"
      ;;
    *) die "unknown variant $v" ;;
  esac
  local batch_limits="max_records: $batch"
  # Kafka: max_bytes follows the message size.
  [ -n "$batch_bytes" ] && [[ $v != kafka-* ]] && batch_limits="$batch_limits, max_bytes: $batch_bytes"
  [ -n "$in_flight" ] && batch_limits="$batch_limits, max_in_flight: $in_flight"
  cat >"$work/exporter.yaml" <<YAML
ring: {name: $ring}
$exporter_yaml
batch: {$batch_limits, max_age: 200ms}
host_name: dc01.contoso.local
log: {level: info}
YAML

  local t0 t1 cap_t exp_t cap_pid exp_pid json= exported=0
  /usr/bin/time -f "%M" -o "$work/cap.hwm" "$cap_bin" -c "$work/capture.yaml" 2>"$work/capture.log" &
  cap_t=$!
  pids+=("$cap_t")
  # The exporter needs the ring and (with --max-idle) records: the capture touches every page
  # of the ring before it writes the first record (about 1 s per GiB here).
  for _ in $(seq 1 2000); do
    json=$("$cli" status --ring "$ring" --json 2>/dev/null || true)
    [ "$(status_field records_written "$json")" -gt 0 ] 2>/dev/null && break
    sleep 0.005
  done
  t0=$(date +%s.%N) # from the first record: the ring's page touching is start-up, not throughput
  /usr/bin/time -f "%M %U %S" -o "$work/exp.hwm" "$exp_bin" -c "$work/exporter.yaml" --allow-root --max-idle 1 \
    2>"$work/exporter.log" &
  exp_t=$!
  pids+=("$exp_t")
  cap_pid=$(child_pid "$cap_t")
  exp_pid=$(child_pid "$exp_t")
  pids+=($cap_pid $exp_pid) # GNU time does not pass SIGTERM on: stop the programs themselves
  local samplers=()
  if [ -n "$cap_pid" ]; then sample_anon "$cap_pid" "$work/cap.anon" & samplers+=($!); fi
  if [ -n "$exp_pid" ]; then sample_anon "$exp_pid" "$work/exp.anon" & samplers+=($!); fi
  pids+=("${samplers[@]}")
  local deadline=$((SECONDS + 300))
  while :; do
    json=$("$cli" status --ring "$ring" --json 2>/dev/null || true)
    exported=$(status_field records_exported "$json")
    [ "${exported:-0}" -ge "$records" ] && break
    kill -0 "$exp_t" 2>/dev/null || die "$v: exporter ended with ${exported:-0} of $records exported"
    [ $SECONDS -lt $deadline ] || die "$v: timeout with ${exported:-0} of $records exported"
    sleep 0.02
  done
  t1=$(date +%s.%N)
  wait "$cap_t" || die "$v: capture failed"
  wait "$exp_t" || die "$v: exporter failed"
  for p in "${samplers[@]}"; do wait "$p" 2>/dev/null || true; done
  json=$("$cli" status --ring "$ring" --json 2>/dev/null || true)
  local drops written ring_used delivered
  drops=$(status_field dropped_ring_full "$json")
  written=$(status_field records_written "$json")
  ring_used=$(status_field producer_pos "$json") # record bytes + 16 B ring framing each
  [ "$written" -eq "$records" ] || die "$v: capture wrote $written of $records"
  local rcv_cpu
  rcv_cpu=$(cpu_secs "${rx_pid:-$sink_pid}")
  local missing
  if [ -n "$rx_pid" ]; then
    kill "$rx_pid"; wait "$rx_pid" 2>/dev/null || true # it writes --ranges when it stops
    delivered=$(awk '{ print $2 }' "$work/ranges" 2>/dev/null)
    missing=$(awk '{ print $4 }' "$work/ranges" 2>/dev/null)
  elif [[ $v == kafka-* ]]; then
    kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true
    delivered=$(status_field records_exported "$json") # acknowledged by the brokers
    missing=0
  elif [ "$sink_format" = count ]; then
    kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true # it logs its totals when it stops
    delivered=$(grep -o 'ids: [0-9]* distinct' "$work/sink.log" | tail -n 1 | cut -d' ' -f2)
    missing=$(grep -o '[0-9]* missing' "$work/sink.log" | tail -n 1 | cut -d' ' -f1)
  else
    kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true
    delivered=$(grep -o '[0-9]* records' "$work/sink.log" | tail -n 1 | cut -d' ' -f1)
    missing=0
  fi
  # Distinct record-id sequence numbers: every one of 1..RECORDS arrived (duplicates from
  # at-least-once resends do not count twice).
  [ "${delivered:-0}" -eq "$records" ] && [ "${missing:-1}" -eq 0 ] ||
    die "$v: receiver acknowledged ${delivered:-0} distinct of $records records, ${missing:-?} missing"
  local ring_touched=$((ring_used < ring_bytes ? ring_used : ring_bytes))
  local cap_hwm exp_hwm
  cap_hwm=$(tail -n 1 "$work/cap.hwm")
  local exp_cpu
  read -r exp_hwm exp_user exp_sys < <(tail -n 1 "$work/exp.hwm")
  exp_cpu=$(awk -v u="$exp_user" -v s="$exp_sys" 'BEGIN { printf "%.2f", u + s }')
  echo >>"$work/results" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') $drops $((cap_hwm - ring_bytes / 1024)) $(cat "$work/cap.anon" 2>/dev/null || echo 0) $((exp_hwm - ring_touched / 1024)) $(cat "$work/exp.anon" 2>/dev/null || echo 0) $delivered $exp_cpu $rcv_cpu"
}

# cpu_secs PID: user+system CPU seconds PID has used so far.
cpu_secs() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo "export_e2e: $records records (synthetic, mix $mix, rate 0), ring $ring_size, batch $batch, $(nproc) cores, build $build"
printf "| %-10s | %9s | %7s | %10s | %5s | %17s | %15s | %17s | %16s | %12s | %18s | %12s |\n" variant records \
  seconds records/s drops "capture HWM-ring" "capture RssAnon" "exporter HWM-ring" "exporter RssAnon" \
  "exporter CPU" "rec/exporter CPU s" "receiver CPU"
printf "|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n" ------------ ----------- --------- ------------ ------- \
  ------------------- ----------------- ------------------- ------------------ -------------- -------------------- --------------
for v in $variants; do
  rm -f "$work/results"
  for _ in $(seq 1 "$reps"); do run_one "$v"; done
  # median by seconds
  line=$(sort -n -k1,1 "$work/results" | sed -n "$(((reps + 1) / 2))p")
  read -r secs drops cap_mem cap_anon exp_hwm exp_anon delivered exp_cpu rcv_cpu <<<"$line"
  printf "| %-10s | %9d | %7.3f | %10.0f | %5d | %13s MiB | %11s MiB | %13s MiB | %12s MiB | %10s s | %18.0f | %10s s |\n" \
    "$v" "$records" "$secs" "$(awk -v n="$records" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')" "$drops" \
    "$(mib "$cap_mem")" "$(mib "$cap_anon")" "$(mib "$exp_hwm")" "$(mib "$exp_anon")" "$exp_cpu" \
    "$(awk -v n="$records" -v s="$exp_cpu" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }')" "$rcv_cpu"
done
echo "(every run: capture dropped_ring_full = 0, records_exported = $records, receiver: $records distinct record-id sequence numbers, 0 missing)"
