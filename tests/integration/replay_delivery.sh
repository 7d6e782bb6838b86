#!/usr/bin/env bash
# Integration: asimdns-capture with the replay source -> ring -> asimdns-exporter (otlp_http)
# -> the test OTLP/HTTP receiver, with real processes. The replay file holds real-layout DNS
# Server 256 / 257 / 259 / 262 / 279 / 280 / 291 and DNS Client 3008 events
# (integration_replay_writer: the test-vector builder's UserData, capture/replay_format.c's
# lines); event i asks for "q<i>.replay.example.". Checks: capture decoded every line (no bad
# lines, decode errors or drops); every sequence 1..N arrives exactly once; per record,
# EventOriginalType follows the file's cycle, DnsQuery is the name without its trailing dot,
# and per event id the endpoints (InterfaceIP 10.0.0.53, Source/Destination 192.0.2.7, Port
# 50123; expectations from facts/asim-dns.md §8: SrcIpAddr is the client that sent the
# request, whatever the ASIM EventSubType) and a few ASIM fields. The 257 events carry their
# response packet: DnsResponseName is its answer, or, for the malformed half, absent and
# counted in the exporter's response_packets_malformed (asimdns status).
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

# Per record: the query index names the event (the writer's cycle) and its fields.
awk -v n="$n" '
  function field(name,   m) {
    if (match($0, "\"" name "\":(\"[^\"]*\"|[0-9a-z]+)")) {
      m = substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 3); gsub(/"/, "", m); return m
    }
    return "<none>"
  }
  BEGIN {
    split("256 257 3008 259 262 279 280 291", ids, " "); k = 8
    # id -> "SrcIpAddr SrcPortNumber DstIpAddr DstPortNumber EventSubType EventResult"
    want["256"] = "192.0.2.7 50123 10.0.0.53 <none> request NA"
    want["257"] = "192.0.2.7 50123 10.0.0.53 <none> response Success"
    want["3008"] = "<none> <none> <none> <none> response Success"
    want["259"] = "192.0.2.7 <none> 10.0.0.53 <none> response Failure"
    want["262"] = "10.0.0.53 <none> 192.0.2.7 50123 response Failure"
    want["279"] = "192.0.2.7 50123 10.0.0.53 <none> response NA"
    want["280"] = "192.0.2.7 50123 10.0.0.53 <none> response NA"
    want["291"] = "10.0.0.53 <none> 192.0.2.7 50123 response Failure"
  }
  {
    q = field("DnsQuery"); t = field("EventOriginalType")
    if (q !~ /^q[0-9]+\.replay\.example$/) { print "bad DnsQuery " q > "/dev/stderr"; bad++; next }
    i = substr(q, 2, index(q, ".") - 2) + 0
    if (i in seen) { print "query " q " twice" > "/dev/stderr"; bad++ }
    seen[i] = 1
    w = ids[i % k + 1]
    if (t != w) { print q ": EventOriginalType " t ", expected " w > "/dev/stderr"; bad++; next }
    count[t]++
    got = field("SrcIpAddr") " " field("SrcPortNumber") " " field("DstIpAddr") " " field("DstPortNumber") \
          " " field("EventSubType") " " field("EventResult")
    if (got != want[t]) {
      if (shown[t]++ < 3) print q " (" t "): got \"" got "\", expected \"" want[t] "\"" > "/dev/stderr"
      badfields[t]++
    }
    p = field("EventProduct")
    if ((t == "3008") != (p == "DNS Client")) badproduct++
    if (t == "3008" && field("EventResultDetails") != "NOERROR") badfields[t]++
    if (t == "257" && field("DnsResponseName") != (i % 16 == 1 ? "<none>" : "192.0.2.10")) {
      if (shownr++ < 3) print q ": DnsResponseName " field("DnsResponseName") > "/dev/stderr"
      badfields[t]++
    }
    if (field("EventSchema") != "Dns" || field("EventSchemaVersion") != "0.1.7" || field("EventVendor") != "Microsoft" \
        || field("DnsQueryTypeName") != "A" || field("Dvc") != "test-host.example.org") badcommon++
  }
  END {
    for (t in badfields) { printf "%d records of %s with wrong fields\n", badfields[t], t > "/dev/stderr"; bad++ }
    if (badproduct || badcommon) { printf "product %d, common %d mismatches\n", badproduct, badcommon > "/dev/stderr"; bad++ }
    for (j = 0; j < k; j++) {
      c = (n > j) ? int((n - 1 - j) / k) + 1 : 0
      if (count[ids[j + 1]] != c) {
        printf "%s: %d records, expected %d\n", ids[j + 1], count[ids[j + 1]], c > "/dev/stderr"; bad++
      }
    }
    exit (bad > 0)
  }' "$work/records.jsonl" || fail "ASIM fields of the replayed events"
malformed=$(( n > 1 ? (n - 2) / 16 + 1 : 0 )) # i % 16 == 1 for i < n
[ "$(counter response_packets_malformed)" -eq "$malformed" ] \
  || fail "response_packets_malformed $(counter response_packets_malformed) != $malformed"
echo "1 passed, 0 failed: $n replayed DNS Server 256/257/259/262/279/280/291 and DNS Client 3008 events delivered once over otlp_http, endpoints as expected"
