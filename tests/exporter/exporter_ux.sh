#!/usr/bin/env bash
# Integration: operator-facing behaviour of asimdns-exporter.
#   1. --max-idle also bounds the wait for a ring that never appears (a typo in ring.name):
#      the exporter exits with status 1 and says which ring it waited for.
#   2. otlp_http.endpoint ending in /v1/logs: the OTLP convention is kept (v1/logs appended)
#      but --check and the start-up log warn with both URLs, and the receiver's refusal (404)
#      names the full URL the batch went to.
#   3. The replay source's ring stays behind by design: docs/CONFIG.md says so next to the
#      source table and shows `asimdns remove-ring`, and so does the example config; the
#      command shown works on such a ring.
# Usage: exporter_ux.sh BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/../integration/delivery_lib.sh"
exporter=$build/exporter/asimdns-exporter

# ---- 1. --max-idle without a ring ---------------------------------------------------------
cat >"$work/typo.yaml" <<YAML
ring: {name: ${ring}-typo}
exporter: {type: console}
YAML
rc=0
timeout 20 "$exporter" -c "$work/typo.yaml" --allow-root --max-idle 1 >/dev/null 2>"$work/typo.log" \
  || rc=$?
[ "$rc" -ne 124 ] || fail "--max-idle 1 did not end the wait for a missing ring (killed after 20 s)"
[ "$rc" -eq 1 ] || fail "exit status $rc for a ring that never appeared, expected 1"
grep -q "ring '${ring}-typo' did not appear within --max-idle 1 s" "$work/typo.log" \
  || fail "no log line names the missing ring"

# ---- 2. endpoint already ending in /v1/logs ----------------------------------------------
write_capture_config 100 0
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log"
start_receiver 0 --default 404
write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$rx_port/v1/logs\", timeout: 5s}"
doubled="http://127.0.0.1:$rx_port/v1/logs/v1/logs"
"$exporter" -c "$work/exporter.yaml" --check >/dev/null 2>"$work/check.log" || fail "--check failed"
grep -q "already ends in /v1/logs.*batches go to $doubled" "$work/check.log" \
  || fail "--check does not warn about the doubled /v1/logs"
timeout 60 "$exporter" -c "$work/exporter.yaml" --allow-root --max-idle 2 2>"$work/exporter.log" \
  || fail "exporter exited with an error"
grep -q "already ends in /v1/logs.*batches go to $doubled" "$work/exporter.log" \
  || fail "no start-up warning about the doubled /v1/logs"
grep -q "receiver rejected a batch .*status 404.*POST $doubled" "$work/exporter.log" \
  || fail "the 404 rejection does not name the full URL"

# ---- 3. a finished capture's ring and its removal -----------------------------------------
src=$(cd "$(dirname "$0")/../.." && pwd)
awk '/^### `source`/ { s = 1 } /^### `ring`/ { s = 0 } s' "$src/docs/CONFIG.md" >"$work/source-doc.md"
grep -q "replay.*leaves its ring behind" "$work/source-doc.md" \
  || fail "docs/CONFIG.md does not say next to the sources that a replay capture leaves its ring"
grep -q "asimdns remove-ring --ring" "$work/source-doc.md" \
  || fail "docs/CONFIG.md does not show asimdns remove-ring next to the sources"
grep -q "^#.*asimdns remove-ring --ring" "$src/config/examples/capture-synthetic.yaml" \
  || fail "the example capture config does not show asimdns remove-ring"
[ -n "$(counter records_rejected || true)" ] \
  || fail "the finished capture's ring is gone (it should stay for the exporter)"
"$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null || fail "remove-ring failed"
[ -z "$(counter records_rejected || true)" ] || fail "the ring is still there after remove-ring"
echo "1 passed, 0 failed: --max-idle without a ring, /v1/logs endpoint warning, URL in" \
  "refusals, replay ring documentation"
