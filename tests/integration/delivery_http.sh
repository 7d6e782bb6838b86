#!/usr/bin/env bash
# Integration: asimdns-capture (synthetic) -> ring -> asimdns-exporter (otlp_http) -> the test
# OTLP/HTTP receiver, with real processes.
#   1. Retryable answers (503 with Retry-After, 429, 502, 504, a dropped connection) before
#      the receiver accepts: every sequence 1..N arrives exactly once, with correct fields, and
#      the counters show the retries.
#   2. Non-retryable answers (400 with a Status body, a partial success): no retry, the records
#      are counted as rejected, the exporter moves on and delivers the rest.
# Usage: delivery_http.sh BUILD_DIR [N]
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
n=${2:-20000}

# ---- 1. retryable answers ----------------------------------------------------------------
write_capture_config "$n" 0
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log"
start_receiver 0 --script "503:1,429,502,504,drop"
write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$rx_port\", timeout: 5s, headers: {X-Tenant: it-secret}}"
timeout 120 "$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root --max-idle 2 2>"$work/exporter.log" \
  || fail "exporter exited with an error"

dups=$(check_ids "$work/ids" 1 "$n")
[ "$dups" -eq 0 ] || fail "$dups duplicates without any acknowledged resend"
[ "$(counter records_exported)" -eq "$n" ] || fail "records_exported $(counter records_exported) != $n"
retried=$(counter batches_retried)
# Five failed answers are five retries; 6 if a drop met a kept connection; 4 if the drop met a
# connection kept idle for AD_HTTP_STALE_IDLE_MS (1 s), which the transport re-sends at once
# within the attempt (http_call.h): with batches in flight the 503's Retry-After 1 leaves one
# lane's connection idle that long while another lane takes the next answers.
[ "$retried" -ge 4 ] && [ "$retried" -le 6 ] || fail "batches_retried $retried, expected 5 (4 or 6, see above)"
[ "$(wc -l <"$work/requests.log")" -ge $(( n / 1000 + 5 )) ] || fail "fewer requests than batches + 5 scripted failures"
[ "$(counter records_rejected)" -eq 0 ] || fail "records rejected"
# Every request: POST /v1/logs, gzip, protobuf; the first five answers were the script's.
awk '$5 != "application/x-protobuf" || $4 != "gzip" || $6 != "/v1/logs" { bad = 1 } END { exit bad }' \
  "$work/requests.log" || fail "request shape"
head -n 5 "$work/requests.log" | awk '{ print $2 }' | tr '\n' ' ' | grep -q '^503:1 429 502 504 drop ' \
  || fail "script answers not seen in order"
# The secret header value never reaches the log.
if grep -q "it-secret" "$work/exporter.log"; then fail "header value logged"; fi
# Fields as the ASIM mapping gives them (facts/asim-dns.md §8).
for field in '"EventSchema":"Dns"' '"EventSchemaVersion":"0.1.7"' '"EventType":"Query"' \
             '"EventSubType":"response"' '"EventProduct":"DNS Client"' '"EventProduct":"DNS Server"' \
             '"Dvc":"test-host.example.org"' '"DnsQueryType":' '"EventCount":1'; do
  grep -q "$field" "$work/records.jsonl" || fail "no record has $field"
done
[ "$(wc -l <"$work/records.jsonl")" -eq "$n" ] || fail "records file has $(wc -l <"$work/records.jsonl") lines"
stop_receiver
"$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null

# ---- 2. non-retryable answers -------------------------------------------------------------
rm -f "$work/ids" "$work/records.jsonl" "$work/requests.log"
m=3000
write_capture_config "$m" 0
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log"
start_receiver 0 --script "400,partial:3"
write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$rx_port\", compression: none}"
timeout 120 "$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root --max-idle 2 2>"$work/exporter2.log" \
  || fail "exporter exited with an error"
# The batch that met the 400 was rejected for good and everything else arrived once. With
# batches in flight (batch.max_in_flight) the first answer goes to whichever batch reached the
# receiver first, so the rejected batch is one whole batch of 1000 (1..1000, 1001..2000 or
# 2001..3000): its ids, added back, must make exactly 1..m.
rejected=$(sed 's/.*-//' "$work/ids" | sort -n | awk -v m="$m" '
  { seen[$1] = 1 } END { for (s = 1; s <= m; s++) if (!(s in seen)) { print s; exit } }')
[ -n "$rejected" ] || fail "no batch is missing although the receiver answered one with 400"
[ $(( (rejected - 1) % 1000 )) -eq 0 ] || fail "the first missing id $rejected does not start a batch"
gen=$(head -n 1 "$work/ids" | sed 's/-.*//')
{ cat "$work/ids"; seq "$rejected" $(( rejected + 999 )) | sed "s/^/$gen-/"; } >"$work/ids.all"
dups=$(check_ids "$work/ids.all" 1 "$m")
[ "$dups" -eq 0 ] || fail "$dups duplicates after non-retryable answers (rejected batch from $rejected)"
[ "$(wc -l <"$work/requests.log")" -eq 3 ] || fail "expected 3 requests (no retry)"
[ "$(counter batches_retried)" -eq 0 ] || fail "a non-retryable answer was retried"
[ "$(counter records_rejected)" -eq 1003 ] || fail "records_rejected $(counter records_rejected) != 1003"
[ "$(counter batches_failed)" -eq 1 ] || fail "batches_failed != 1"
[ "$(counter records_exported)" -eq $((m - 1003)) ] || fail "records_exported $(counter records_exported)"
grep -q 'test status 400' "$work/exporter2.log" || fail "the receiver's Status message was not logged"
grep -q 'test partial rejection' "$work/exporter2.log" || fail "the partial-success message was not logged"
grep -q ' identity ' "$work/requests.log" || fail "compression none still compressed"

# ---- 3. the test receiver with a chunked, keep-alive client ----------------------------------
# Node's http client (the OpenTelemetry JS exporter, bench/export_peer.sh) streams bodies chunked
# and keeps the connection: the receiver reads chunked bodies and ends every answer with a
# Content-Length, so two requests on one connection both get their answer.
stop_receiver
rm -f "$work/ids" "$work/records.jsonl" "$work/requests.log"
start_receiver 0
python3 - "$rx_port" <<'PY' || fail "chunked keep-alive requests"
import http.client, sys
def ld(field, b):  # a length-delimited protobuf field (short payloads)
    return bytes([field << 3 | 2, len(b)]) + b
def request(rid):
    kv = ld(1, b"asimdns.record_id") + ld(2, ld(1, rid))
    return ld(1, ld(2, ld(2, ld(6, kv))))
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
for rid in (b"ab-1", b"ab-2"):
    body = request(rid)
    c.request("POST", "/v1/logs", body=iter([body[:5], body[5:]]), encode_chunked=True,
              headers={"Content-Type": "application/x-protobuf"})
    r = c.getresponse()
    r.read()
    assert r.status == 200 and r.getheader("Content-Length") == "0", (r.status, r.getheaders())
PY
[ "$(cat "$work/ids")" = "$(printf 'ab-1\nab-2')" ] || fail "chunked bodies: ids $(cat "$work/ids")"
stop_receiver
echo "1 passed, 0 failed: $n records through retryable answers; 400 and partial success not retried;" \
  "chunked keep-alive requests to the test receiver"
