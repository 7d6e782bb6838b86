#!/usr/bin/env bash
# Integration: the capture's operational log lines (issue 7).
#  - start-up facts and "source ... started";
#  - a summary line every log.summary_seconds, with the counters;
#  - "ring full" once when the ring fills (no exporter), not once per dropped record, and
#    "ring has room again" with the number dropped once an exporter drains it;
#  - log.summary_seconds: 0 turns the summary off.
# Usage: services_logging.sh BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/../lib/testlib.sh"
build=$1
tl_start "$build"
ring="it-log-$$"
tl_rings+=("$ring" "$ring-off")
fail() { echo "FAIL: $*" >&2; cat "$work"/*.log >&2 2>/dev/null || true; exit 1; }
wait_for() { wait_until "$1" grep -q -- "$3" "$2"; } # SECONDS FILE PATTERN
passed=0

cat >"$work/capture.yaml" <<YAML
source: {type: synthetic, synthetic: {seed: 5, rate: 4000, count: 0}}
ring: {name: $ring, size: 1MiB}
log: {summary_seconds: 1}
YAML
cat >"$work/exporter.yaml" <<YAML
ring: {name: $ring}
exporter: {type: console}
YAML

"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" &
pids+=("$!")
wait_for 10 "$work/capture.log" "source synthetic started" || fail "no 'source started' line"
grep -q "asimdns-capture .*: source synthetic, ring '$ring'" "$work/capture.log" || fail "no start-up facts"
passed=$((passed + 1))

# Full within about a second at 4000/s; then it stays full for a while without an exporter.
wait_for 15 "$work/capture.log" "ring full: dropping" || fail "no 'ring full' line"
sleep 3
[ "$(grep -c "ring full: dropping" "$work/capture.log")" -eq 1 ] ||
  fail "'ring full' logged $(grep -c "ring full" "$work/capture.log") times during one episode"
wait_for 5 "$work/capture.log" "summary: .* dropped (+[1-9]" || fail "no summary counting drops"
[ "$(grep -c "summary: " "$work/capture.log")" -ge 2 ] || fail "fewer than 2 summary lines in 4 s"
passed=$((passed + 1))

"$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root >/dev/null \
  2>"$work/exporter.log" &
pids+=("$!")
wait_for 15 "$work/capture.log" "ring has room again: [1-9][0-9]* records were dropped" ||
  fail "no 'ring has room again' line after the exporter started"
passed=$((passed + 1))

# Summary off.
cat >"$work/capture-off.yaml" <<YAML
source: {type: synthetic, synthetic: {seed: 5, rate: 100, count: 0}}
ring: {name: $ring-off, size: 1MiB}
log: {summary_seconds: 0}
heartbeat_seconds: 1
YAML
"$build/capture/asimdns-capture" -c "$work/capture-off.yaml" 2>"$work/capture-off.log" &
off=$!
pids+=("$off")
wait_for 10 "$work/capture-off.log" "source synthetic started" || fail "capture-off did not start"
sleep 2.5 # more than two heartbeat periods: a summary line would have been written by now
kill -TERM "$off"
wait "$off" || fail "capture with summary off exited non-zero"
grep -q "summary: " "$work/capture-off.log" && fail "summary lines with log.summary_seconds: 0"
grep -q "source synthetic started" "$work/capture-off.log" || fail "capture-off did not start"
passed=$((passed + 1))
echo "$passed passed, 0 failed: start-up, summary, ring full/recovered lines"
