#!/usr/bin/env bash
# Integration: asimdns-exporter against a hostile OTLP/HTTP receiver (hostile_http.py). The
# first answer announces a 2 GiB body and streams it, the second is an endless chunked body;
# a third has a malformed chunk size (a protocol error: retried, not counted as too large), a
# fourth sends header lines for ever (nng refuses them past its header limit: retried);
# then the receiver behaves (a chunked partial success, then plain 200s). The exporter must read each answer with a hard byte limit while
# it streams: drop the connection, count responses_too_large, retry the batch, keep its memory
# (VmHWM) small, and then deliver every record to the now good receiver.
# Usage: http_response_limit.sh BUILD_DIR [N] [MAX_HWM_MIB]
set -euo pipefail
source "$(dirname "$0")/../integration/delivery_lib.sh"
n=${2:-3000}
max_hwm_mib=${3:-96}
here=$(cd "$(dirname "$0")" && pwd)

write_capture_config "$n" 0
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log"
python3 "$here/hostile_http.py" "$work/port" "$work/hostile.log" bigcl,chunked,badchunk,headers,partial \
  2>"$work/hostile-server.log" &
pids+=($!)
wait_until 10 test -s "$work/port" || fail "hostile receiver did not start"
write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$(cat "$work/port")\", timeout: 5s}"
start_exporter exporter.log

delivered() { [ "$(counter records_exported)" = "$((n - 3))" ]; }
wait_until 90 delivered || fail "records_exported $(counter records_exported), expected $((n - 3))"
hwm_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$exp_pid/status")
too_large=$(counter responses_too_large || true) # absent: an exporter without the counter
kill "$exp_pid"
wait_exit "$exp_pid" 10 exporter || fail "exporter exited with an error"

echo "exporter VmHWM ${hwm_kib} KiB, responses_too_large ${too_large}"
cat "$work/hostile.log"
[ "$((hwm_kib / 1024))" -lt "$max_hwm_mib" ] \
  || fail "exporter peak RSS $((hwm_kib / 1024)) MiB (limit ${max_hwm_mib} MiB): response bodies not bounded"
[ "$too_large" = 2 ] || fail "responses_too_large $too_large, expected 2"
# Each hostile answer was cut off early (the 4 MiB cap plus what was in flight), not read on.
awk '$2 != "ok" && $3 > 64 * 1048576 { bad = 1 } END { exit bad }' "$work/hostile.log" \
  || fail "a hostile body was read far past the limit"
grep -q "over the 4194304-byte limit; connection dropped" "$work/exporter.log" \
  || fail "no log line names the oversized Content-Length"
grep -q "chunked response body grew over the 4194304-byte limit" "$work/exporter.log" \
  || fail "no log line names the endless chunked body"
# The chunked partial success within the limit was read as any other answer.
grep -q "response body: Protocol error" "$work/exporter.log" \
  || fail "the malformed chunked body was not retried as a protocol error"
[ "$(counter records_rejected)" = 3 ] || fail "records_rejected $(counter records_rejected), expected 3"
grep -q "3 of .* records rejected: three" "$work/exporter.log" \
  || fail "the chunked partial success was not read"
echo "PASS: http_response_limit"
