#!/usr/bin/env bash
# Integration, disk spool across a change of transport (docs/SPOOL.md: the spool holds the ring
# records themselves, not a transport's encoding): records are spooled while the OTLP/HTTP
# receiver is down and the exporter stops; it starts again configured for the console (ASIM
# JSON lines on stdout) and delivers every spooled record there, each record id once or more
# (at-least-once), none missing.
# Usage: spool_transport_switch.sh BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
n=3000

spool_while_receiver_down "$n" 23 4MiB exporter-http.log
[ "$(counter records_exported)" -eq 0 ] || fail "records were exported while the receiver was down"
kill -TERM "$exp_pid"
wait_exit "$exp_pid" 30 || fail "exporter did not stop cleanly"

# The same spool, another transport and encoding.
write_exporter_config "exporter: {type: console}
spool: {enabled: true, directory: $work/spool, max_size: 4MiB}"
"$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root --max-idle 3 \
  >"$work/console.jsonl" 2>>"$work/exporter-console.log" &
exp_pid=$!
pids+=("$exp_pid")
wait_exit "$exp_pid" 60 || fail "console exporter failed"
got=$(grep -o '"asimdns.record_id":"[^"]*"' "$work/console.jsonl" | sed 's/.*-//; s/"$//' | sort -un | wc -l)
echo "$got distinct record ids of $n on the console" >&2
[ "$got" -eq "$n" ] || fail "expected $n distinct record ids after the switch, got $got"
echo "1 passed, 0 failed: records spooled for OTLP/HTTP were delivered by the console transport"
