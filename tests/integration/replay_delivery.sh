#!/usr/bin/env bash
# Integration: asimdns-capture with the replay source -> ring -> asimdns-exporter (otlp_http)
# -> the test OTLP/HTTP receiver, with real processes. The replay file holds real-layout DNS
# Server 256 / 257 and DNS Client 3008 events (integration_replay_writer: the test-vector
# builder's UserData, capture/replay_format.c's lines); event i asks for
# "q<i>.replay.example.". Checks: capture decoded every line (no bad lines, decode errors or
# drops); every sequence 1..N arrives exactly once; per record, EventOriginalType follows the
# file's 256, 257, 3008 cycle, DnsQuery is the name without its trailing dot, and a few ASIM
# fields per event id (facts/asim-dns.md §8).
# Usage: replay_delivery.sh BUILD_DIR [N]
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
n=${2:-30000}

"$build/tests/integration/integration_replay_writer" "$work/events.replay" "$n" \
  || fail "replay writer failed"
cat >"$work/capture.yaml" <<YAML
source:
  type: replay
  replay: {file: "$work/events.replay", rate: 0, strict: true}
ring: {name: $ring, size: 64MiB}
YAML
timeout 60 "$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" \
  || fail "capture exited with an error"

ccounter() { status_counter "$ring" "$1" capture; } # a capture counter from `asimdns status --json`
[ "$(ccounter records_written)" -eq "$n" ] || fail "capture wrote $(ccounter records_written) of $n records"
for c in replay_bad_lines decode_errors unsupported_events dropped_ring_full dropped_too_large; do
  [ "$(ccounter "$c")" -eq 0 ] || fail "capture counter $c = $(ccounter "$c")"
done

start_receiver 0
write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$rx_port\", compression: gzip, timeout: 10s}"
timeout 60 "$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root --max-idle 1 2>"$work/exporter.log" \
  || fail "exporter exited with an error"
stop_receiver

dups=$(check_ids "$work/ids" 1 "$n")
[ "$dups" -eq 0 ] || fail "$dups duplicates"
[ "$(counter records_exported)" -eq "$n" ] || fail "records_exported $(counter records_exported) != $n"
[ "$(wc -l <"$work/records.jsonl")" -eq "$n" ] || fail "records file has $(wc -l <"$work/records.jsonl") lines"

# Per record: the query index names the event (i % 3: 256, 257, 3008) and its fields.
awk -v n="$n" '
  function field(name,   m) {
    if (match($0, "\"" name "\":(\"[^\"]*\"|[0-9a-z]+)")) {
      m = substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 3); gsub(/"/, "", m); return m
    }
    return "<none>"
  }
  {
    q = field("DnsQuery"); t = field("EventOriginalType")
    if (q !~ /^q[0-9]+\.replay\.example$/) { print "bad DnsQuery " q > "/dev/stderr"; bad++; next }
    i = substr(q, 2, index(q, ".") - 2) + 0
    if (i in seen) { print "query " q " twice" > "/dev/stderr"; bad++ }
    seen[i] = 1
    want = (i % 3 == 0) ? "256" : (i % 3 == 1) ? "257" : "3008"
    if (t != want) { print q ": EventOriginalType " t ", expected " want > "/dev/stderr"; bad++ }
    count[t]++
    p = field("EventProduct"); s = field("EventSubType")
    if (t == "256" && (p != "DNS Server" || s != "request" || field("EventResult") != "NA")) bad256++
    if (t == "257" && (p != "DNS Server" || s != "response" || field("EventResult") != "Success")) bad257++
    if (t == "3008" && (p != "DNS Client" || s != "response" || field("EventResultDetails") != "NOERROR")) bad3008++
    if (field("EventSchema") != "Dns" || field("EventSchemaVersion") != "0.1.7" || field("EventVendor") != "Microsoft" \
        || field("DnsQueryTypeName") != "A" || field("Dvc") != "test-host.example.org") badcommon++
  }
  END {
    if (bad256 || bad257 || bad3008 || badcommon) {
      printf "field mismatches: 256 %d, 257 %d, 3008 %d, common %d\n", bad256, bad257, bad3008, badcommon > "/dev/stderr"; bad++
    }
    want256 = int((n + 2) / 3); want257 = int((n + 1) / 3); want3008 = int(n / 3)
    if (count["256"] != want256 || count["257"] != want257 || count["3008"] != want3008) {
      printf "counts 256/257/3008: %d/%d/%d, expected %d/%d/%d\n", count["256"], count["257"], count["3008"],
             want256, want257, want3008 > "/dev/stderr"; bad++
    }
    exit (bad > 0)
  }' "$work/records.jsonl" || fail "ASIM fields of the replayed events"
echo "1 passed, 0 failed: $n replayed DNS Server 256/257 and DNS Client 3008 events delivered once over otlp_http"
