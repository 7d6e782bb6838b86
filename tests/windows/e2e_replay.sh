#!/usr/bin/env bash
# Windows end to end, under Wine: asimdns-capture.exe (replay source: real-layout DNS Server
# 256/257 and DNS Client 3008 events) -> named-section ring -> asimdns-exporter.exe (otlp_http,
# gzip) -> the Linux test OTLP/HTTP receiver on 127.0.0.1. Every sequence 1..N must arrive,
# each record must be the ASIM form of its event (the query name follows the replay line), and
# capture must have decoded every line.
# Usage: e2e_replay.sh CAPTURE.exe EXPORTER.exe HOST_BUILD N WINE-RUN [WINE-RUN ARGS...]
set -euo pipefail
source "$(dirname "$0")/../lib/testlib.sh"
capture=${1:?usage: e2e_replay.sh CAPTURE.exe EXPORTER.exe HOST_BUILD N WINE-RUN...}
exporter=${2:?}
host=${3:?}
n=${4:?}
shift 4
receiver=$host/tests/exporter/exporter_test_receiver
writer=$host/tests/integration/integration_replay_writer
for p in "$receiver" "$writer"; do
  [ -x "$p" ] || { echo "FAIL: $p missing: build the Linux flavour first (scripts/build)" >&2; exit 1; }
done

tl_start "" # the named-section ring goes with its last Wine process: nothing to remove
ring="wt-e2e-$$-$RANDOM"
win() { echo "Z:$1"; } # Wine's drive Z: is the Linux root; forward slashes work in Windows paths

"$writer" "$work/events.replay" "$n" || fail "replay writer failed"

"$receiver" --listen "http://127.0.0.1:0" --port-file "$work/port" --ids "$work/ids" \
  --records "$work/records.jsonl" --log "$work/requests.log" 2>"$work/receiver.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || fail "receiver did not report its port"
port=$(cat "$work/port")

# A named section lives as long as a process has it open, so capture replays slowly enough
# (about 3 s) that the exporter, started first and waiting for the ring, attaches before
# capture exits; from then on the exporter's mapping keeps the ring alive.
rate=$(( n / 3 + 1 ))
cat >"$work/capture.yaml" <<YAML
source:
  type: replay
  replay: {file: "$(win "$work/events.replay")", rate: $rate, strict: true}
ring: {name: $ring, size: 16MiB}
YAML
cat >"$work/exporter.yaml" <<YAML
ring: {name: $ring}
exporter: {type: otlp_http}
otlp_http: {endpoint: "http://127.0.0.1:$port", compression: gzip, timeout: 10s}
batch: {max_records: 500, max_age: 200ms}
host_name: test-host.example.org
YAML
"$@" "$capture" -c "$(win "$work/capture.yaml")" --check >"$work/capture-check.log" 2>&1 ||
  fail "asimdns-capture.exe --check refused the configuration"
"$@" "$exporter" -c "$(win "$work/exporter.yaml")" --check >"$work/exporter-check.log" 2>&1 ||
  fail "asimdns-exporter.exe --check refused the configuration"

"$@" "$exporter" -c "$(win "$work/exporter.yaml")" --max-idle 4 2>"$work/exporter.log" &
xpid=$!
pids+=("$xpid")
sleep 1
timeout 120 "$@" "$capture" -c "$(win "$work/capture.yaml")" 2>"$work/capture.log" ||
  fail "asimdns-capture.exe exited with an error"
grep -q "$n events in, $n written, 0 dropped" "$work/capture.log" ||
  fail "capture did not write all $n events"
xrc=0
wait_exit "$xpid" 120 asimdns-exporter.exe || xrc=$?
[ "$xrc" -eq 0 ] || fail "asimdns-exporter.exe exited with $xrc"

[ -f "$work/ids" ] || fail "the receiver got nothing"
sed 's/.*-//' "$work/ids" | sort -n | awk -v n="$n" '
  { if ($1 < 1 || $1 > n) { print "unexpected sequence " $1 > "/dev/stderr"; bad = 1 }
    seen[$1]++ }
  END { for (s = 1; s <= n; s++) if (!(s in seen)) { missing++; if (missing <= 5) print "missing " s > "/dev/stderr" }
        if (missing) { print "missing " missing " of " n " sequences" > "/dev/stderr"; bad = 1 }
        exit bad }' || fail "not every sequence 1..$n arrived"
[ "$(wc -l <"$work/records.jsonl")" -ge "$n" ] || fail "records file has $(wc -l <"$work/records.jsonl") lines"
# Event i of the file asks for q<i>.replay.example. (256 257 3008 259 262 279 280 291 in turn,
# tests/integration/replay_writer.c).
awk '
  function field(name,   m) {
    if (match($0, "\"" name "\":\"[^\"]*\"")) { m = substr($0, RSTART + length(name) + 4, RLENGTH - length(name) - 5); return m }
    return "<none>"
  }
  { q = field("DnsQuery"); t = field("EventOriginalType")
    if (q !~ /^q[0-9]+\.replay\.example$/) { bad++; next }
    i = substr(q, 2, index(q, ".") - 2) + 0
    split("256 257 3008 259 262 279 280 291", ids, " ")
    want = ids[i % 8 + 1]
    if (t != want || field("EventSchema") != "Dns" || field("Dvc") != "test-host.example.org") bad++ }
  END { if (bad) print bad " records with wrong ASIM fields" > "/dev/stderr"; exit bad > 0 }' \
  "$work/records.jsonl" || fail "ASIM fields of the replayed events"
echo "1 passed: $n replayed events from asimdns-capture.exe through asimdns-exporter.exe (Wine) to the Linux receiver"
