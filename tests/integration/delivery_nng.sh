#!/usr/bin/env bash
# Integration: asimdns-capture (synthetic) -> ring -> asimdns-exporter (nng req) -> `asimdns
# sink` over ipc:// in the test's temp dir. Every sequence 1..N arrives exactly once with
# correct fields; the sink's OTLP/JSON output works too, and --format count reports every
# record-id sequence number; the sink starting after the exporter costs nothing (the exporter
# retries until it is there).
# Usage: delivery_nng.sh BUILD_DIR [N]
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
n=${2:-20000}

start_sink() { # FORMAT OUT
  "$build/cli/asimdns" sink --listen "ipc://$work/sink.ipc" --format "$1" --out "$2" \
    --max-idle 3 2>>"$work/sink.log" &
  sink_pid=$!
  pids+=("$sink_pid")
}

# ---- asim-json, sink started after the exporter ---------------------------------------------
write_capture_config "$n" 0
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log"
# A generous acknowledgement timeout: this run checks exactly-once delivery when nothing fails,
# and a sink slowed by a loaded machine (or the sanitizers) must not turn into a retry.
write_exporter_config "exporter: {type: nng}
nng: {url: \"ipc://$work/sink.ipc\", mode: req, timeout: 10s, recv_max_size: 64KiB}"
start_exporter exporter.log --max-idle 2
sleep 0.5 # the exporter finds no receiver and backs off
start_sink asim-json "$work/out.jsonl"
wait_exit "$exp_pid" 120 || fail "exporter exited with an error"
wait_exit "$sink_pid" 60 || fail "sink exited with an error"

grep -o '"asimdns.record_id":"[0-9a-f]*-[0-9]*"' "$work/out.jsonl" | sed 's/"$//' >"$work/ids"
dups=$(check_ids "$work/ids" 1 "$n")
[ "$dups" -eq 0 ] || fail "$dups duplicates"
[ "$(wc -l <"$work/out.jsonl")" -eq "$n" ] || fail "sink wrote $(wc -l <"$work/out.jsonl") lines"
[ "$(counter records_exported)" -eq "$n" ] || fail "records_exported $(counter records_exported)"
[ "$(counter batches_ok)" -ge $((n / 1000)) ] || fail "batches_ok $(counter batches_ok)"
for field in '"EventSchema":"Dns"' '"EventSchemaVersion":"0.1.7"' '"EventSubType":"request"' \
             '"EventProduct":"DNS Client"' '"Dvc":"test-host.example.org"' '"NetworkProtocol":"TCP"'; do
  grep -q "$field" "$work/out.jsonl" || fail "no record has $field"
done
grep -q "$n records" "$work/sink.log" || fail "sink summary"

# ---- otlp-json ----------------------------------------------------------------------------
"$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null
m=500
write_capture_config "$m" 0
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log"
start_sink otlp-json "$work/out-otlp.jsonl"
timeout 120 "$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root --max-idle 1 2>"$work/exporter2.log" \
  || fail "exporter exited with an error"
wait_exit "$sink_pid" 60 || fail "sink exited with an error"
grep -q '"resourceLogs"' "$work/out-otlp.jsonl" || fail "no OTLP/JSON"
grep -q '"key":"service.name"' "$work/out-otlp.jsonl" || fail "no service.name"
got=$(grep -o '"asimdns.record_id","value":{"stringValue":"[0-9a-f]*-[0-9]*"' "$work/out-otlp.jsonl" | wc -l)
[ "$got" -eq "$m" ] || fail "OTLP/JSON carries $got record ids, expected $m"

# ---- count (wire walk, record-id ranges) ----------------------------------------------------
"$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log"
start_sink count /dev/null
timeout 120 "$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root --max-idle 1 2>"$work/exporter3.log" \
  || fail "exporter exited with an error"
wait_exit "$sink_pid" 60 || fail "sink exited with an error"
grep -q "ids: $m distinct, first 1, last $m, 0 missing, 1 ranges, 0 duplicates, 0 without id" \
  "$work/sink.log" || fail "sink --format count: $(grep 'ids:' "$work/sink.log")"
echo "1 passed, 0 failed: $n records over nng req to asimdns sink (asim-json), $m as OTLP/JSON," \
  "$m counted (--format count)"
