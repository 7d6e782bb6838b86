#!/usr/bin/env bash
# Integration: asimdns-capture (synthetic, N events) -> ring -> asimdns-exporter (console).
# Every sequence number 1..N must arrive exactly once, in order, with ASIM fields set.
# Usage: synthetic_console.sh BUILD_DIR [N]
set -euo pipefail
source "$(dirname "$0")/../lib/testlib.sh"
build=$1
n=${2:-20000}
tl_start "$build"
ring="it-console-$$"
tl_rings+=("$ring")

write_synthetic_capture "$work/capture.yaml" "$ring" 64MiB 7 0 "$n"
cat >"$work/exporter.yaml" <<YAML
ring: {name: $ring}
exporter: {type: console}
host_name: test-host.example.org
YAML

# The ring holds all N records, so the capture may finish before the exporter starts.
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log"
"$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root --max-idle 1 \
  >"$work/out.jsonl" 2>"$work/exporter.log"

fail() { echo "FAIL: $*" >&2; cat "$work/capture.log" "$work/exporter.log" >&2; exit 1; }

lines=$(wc -l <"$work/out.jsonl")
[ "$lines" -eq "$n" ] || fail "expected $n records, got $lines"
# record ids are "<generation>-<sequence>": a fresh ring numbers records 1..n, in order.
grep -o '"asimdns.record_id":"[0-9a-f]*-[0-9]*"' "$work/out.jsonl" | sed 's/.*-\([0-9]*\)"$/\1/' \
  | awk -v n="$n" '$1 != NR { print "sequence " $1 " at line " NR; bad = 1 }
                   END { if (NR != n) { print "only " NR " ids"; bad = 1 } exit bad }' \
  || fail "sequence numbers are not 1..$n in order"
for field in '"EventSchema":"Dns"' '"EventSchemaVersion":"0.1.7"' '"EventType":"Query"' \
             '"EventSubType":"request"' '"EventSubType":"response"' '"EventResultDetails":"NXDOMAIN"' \
             '"EventProduct":"DNS Client"' '"Dvc":"test-host.example.org"' \
             '"NetworkProtocolVersion":"IPv6"' '"NetworkProtocol":"TCP"'; do
  grep -q "$field" "$work/out.jsonl" || fail "no record has $field"
done
if grep -q '"DnsQuery":"[^"]*\."' "$work/out.jsonl"; then fail "DnsQuery kept a trailing dot"; fi
echo "1 passed, 0 failed: $n records delivered in order"
