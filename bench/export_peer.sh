#!/usr/bin/env bash
# bench/export_peer.sh: asimdns-exporter's per-record work next to the OpenTelemetry JS SDK
# doing the same job, one core each (taskset -c 0), and the ratio.
#
#   ours: bench_export (decode ring record + ASIM map + OTLP encode, gzip off / gzip level 1),
#         median records/s of REPS runs of RECORDS records (DNS Server records, 44 attributes)
#   peer: bench/js-peer/peer.js encode: SDK record creation (logger.emit) + ProtobufLogsSerializer
#         (the SDK's own OTLP protobuf writer), the same 44-attribute set (template.json is one
#         console-exporter line for a 257 event), median of REPS runs of 40 batches of 8192.
#   full path (PEER_EXPORT=1, the default; 0 skips it): the SDK's BatchLogRecordProcessor
#         8192/32768 -> OTLPLogExporter (protobuf, gzip off) -> the test receiver
#         tests/exporter/receiver.c, next to ours (bench/export_e2e.sh http: capture -> ring ->
#         asimdns-exporter) -> the same receiver, PEER_RECORDS records each (default 500000),
#         REPS runs each, the receiver checking that record ids 1..N all arrived.
#
# Dependencies: `npm ci` in bench/js-peer (exact versions pinned in package.json and
# package-lock.json; node_modules/ is gitignored). If npm or node fails, the script says so and
# still prints our numbers.
#
# usage: bench/export_peer.sh [BUILD_DIR=build-h10|build] [RECORDS=2000000] [REPS=3]
source "$(dirname "$0")/../scripts/lib/strict.sh"

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-}
if [ -z "$build" ]; then
  for b in "$root/build-h10" "$root/build"; do [ -x "$b/bench/bench_export" ] && { build=$b; break; }; done
fi
build=$(cd "${build:?no build dir with bench/bench_export; pass BUILD_DIR}" && pwd)
records=${2:-2000000}
reps=${3:-3}
peer_dir=$here/js-peer
pin="taskset -c 0"
command -v taskset >/dev/null || pin=

work=$(mktemp -d)
rx_pid=
cleanup() {
  if [ -n "$rx_pid" ]; then kill "$rx_pid" 2>/dev/null || true; wait "$rx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
json_num() { grep -o "\"$1\":[0-9.]*" | cut -d: -f2; }

# ---- ours -----------------------------------------------------------------------------------
echo "export_peer: ours = $build/bench/bench_export $records $reps server (pinned: ${pin:-no})"
$pin "$build/bench/bench_export" "$records" "$reps" server | tee "$work/ours.txt"
ours_enc=$(awk -F'|' '$2 ~ /decode\+map\+encode *$/ { gsub(/ /, "", $3); print $3 }' "$work/ours.txt")
ours_gz=$(awk -F'|' '$2 ~ /decode\+map\+encode\+gzip1/ { gsub(/ /, "", $3); print $3 }' "$work/ours.txt")
ours_bpr=$(awk -F'|' '$2 ~ /decode\+map\+encode *$/ { gsub(/ /, "", $7); print $7 }' "$work/ours.txt")
echo

# ---- peer -----------------------------------------------------------------------------------
peer_ok=0
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "export_peer: node/npm not found: no JS SDK peer numbers (install nodejs and npm)"
elif ! (cd "$peer_dir" && npm ci --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1); then
  echo "export_peer: 'npm ci' in $peer_dir failed (registry unreachable?); no JS SDK peer numbers:"
  tail -n 5 "$work/npm.log" | sed 's/^/  /'
else
  peer_ok=1
  # npm ls exits non-zero on any extraneous or missing package; the versions it lists still hold.
  peer_versions=$(cd "$peer_dir" && npm ls --depth=0 2>/dev/null || true)
  peer_versions=$(grep -o '@opentelemetry/[a-z-]*@[0-9.]*' <<<"$peer_versions" | tr '\n' ' ' || true)
  echo "export_peer: peer = node $(node --version), $peer_versions"
  for _ in $(seq 1 "$reps"); do
    $pin node "$peer_dir/peer.js" encode 40 5 8192 | tee -a "$work/peer.jsonl" || { peer_ok=0; break; }
  done
fi

if [ "$peer_ok" = 1 ]; then
  peer_enc=$(json_num build_plus_serialize_rec_per_s <"$work/peer.jsonl" | median)
  peer_enc_all=$(json_num build_plus_serialize_rec_per_s <"$work/peer.jsonl" | tr '\n' ' ')
  peer_ser=$(json_num serialize_rec_per_s <"$work/peer.jsonl" | median)
  peer_bpr=$(json_num bytes_per_record <"$work/peer.jsonl" | median)
  peer_rss=$(json_num rss_mib <"$work/peer.jsonl" | median)
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
echo
echo "| one core, DNS Server 257-style records, 44 attributes | records/s | B/record | vs JS build+serialize |"
echo "|---|---|---|---|"
echo "| asimdns bench_export: decode+map+encode (gzip off) | $ours_enc | $ours_bpr | $( [ "$peer_ok" = 1 ] && ratio "$ours_enc" "$peer_enc" || echo -) |"
echo "| asimdns bench_export: decode+map+encode+gzip level 1 | $ours_gz | - | $( [ "$peer_ok" = 1 ] && ratio "$ours_gz" "$peer_enc" || echo -) |"
if [ "$peer_ok" = 1 ]; then
  echo "| OTel JS SDK: build + serialize (runs: $peer_enc_all) | $peer_enc | $peer_bpr | 1.0x |"
  echo "| OTel JS SDK: serialize only | $peer_ser | $peer_bpr | - |"
  echo "(JS RSS at the end of an encode run: $peer_rss MiB; ours: see bench_export's peak RSS line above)"
fi

# ---- full path, both to the same receiver ------------------------------------------------------
# JS: BatchLogRecordProcessor -> OTLPLogExporter -> test receiver; ours: capture (synthetic) ->
# ring -> asimdns-exporter -> the same test receiver (bench/export_e2e.sh, variant http). Both
# gzip off, PEER_RECORDS records, record ids 1..N checked by the receiver (--ranges).
rx_bin=$build/tests/exporter/exporter_test_receiver
if [ "$peer_ok" = 1 ] && [ "${PEER_EXPORT:-1}" = 1 ] && [ -x "$rx_bin" ] && [ -x /usr/bin/time ]; then
  n=${PEER_RECORDS:-500000}
  js_rates=() js_rss=() js_cpu=() js_ok=1
  for rep in $(seq 1 "$reps"); do
    rm -f "$work/port" "$work/ranges" "$work/requests.log"
    "$rx_bin" --listen "http://127.0.0.1:0" --port-file "$work/port" --log "$work/requests.log" \
      --ranges "$work/ranges" --max-idle 600 2>"$work/receiver.log" &
    rx_pid=$!
    for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.02; done
    [ -s "$work/port" ] || { echo "export_peer: test receiver did not start"; js_ok=0; break; }
    if ! /usr/bin/time -f "%M %U %S" -o "$work/peer.time" timeout 300 node "$peer_dir/peer.js" export \
      "http://127.0.0.1:$(cat "$work/port")/v1/logs" "$n" 8192 32768 none >"$work/peer-export.json"; then
      echo "export_peer: JS full path failed or timed out (300 s)"; js_ok=0
    fi
    kill "$rx_pid" 2>/dev/null || true
    wait "$rx_pid" 2>/dev/null || true # writes --ranges as it stops
    rx_pid=
    [ "$js_ok" = 1 ] || break
    read -r distinct missing < <(awk '{ print $2, $4 }' "$work/ranges")
    if [ "$distinct" != "$n" ] || [ "$missing" != 0 ]; then
      echo "export_peer: JS full path: receiver saw $distinct distinct of $n record ids, $missing missing"; js_ok=0; break
    fi
    js_rates+=("$(json_num rec_per_s <"$work/peer-export.json")")
    read -r hwm u s <"$work/peer.time"
    js_rss+=("$(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }')")
    js_cpu+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')")
  done
  echo
  echo "export_peer: ours, the same $n records end to end -> the same receiver (bench/export_e2e.sh http, REPS=$reps)"
  REPS=$reps "$here/export_e2e.sh" "$build" "$n" http | tee "$work/ours-e2e.txt" || echo "export_peer: export_e2e.sh failed"
  ours_e2e=$(awk -F'|' '$2 ~ /^ *http *$/ { gsub(/ /, "", $5); print $5 }' "$work/ours-e2e.txt")
  ours_e2e_rss=$(awk -F'|' '$2 ~ /^ *http *$/ { gsub(/ MiB/, "", $9); gsub(/ /, "", $9); print $9 }' "$work/ours-e2e.txt")
  if [ "$js_ok" = 1 ]; then
    js_rate=$(printf '%s\n' "${js_rates[@]}" | median)
    js_peak=$(printf '%s\n' "${js_rss[@]}" | median)
    echo
    echo "| full path, $n records, gzip off, -> tests/exporter receiver (ids 1..N checked) | records/s | peak RSS | vs JS |"
    echo "|---|---|---|---|"
    echo "| asimdns: capture -> ring -> exporter -> OTLP/HTTP (median of $reps) | ${ours_e2e:-?} | exporter ${ours_e2e_rss:-?} MiB besides the ring | $(ratio "${ours_e2e:-0}" "$js_rate") |"
    echo "| OTel JS SDK: emit -> BatchLogRecordProcessor 8192/32768 -> OTLPLogExporter (runs: ${js_rates[*]}) | $js_rate | node $js_peak MiB (runs: ${js_rss[*]}) | 1.0x |"
    echo "(node CPU s per run: ${js_cpu[*]})"
  fi
fi
