#!/usr/bin/env bash
# Integration: `asimdns sink` stops within a bounded time on SIGTERM while an exporter pushes
# load at it (nng 1.5.2's nng_close can deadlock under load, nng issues 1543/1813; the sink
# bounds its shutdown). ROUNDS times: start a sink, let the exporter's requests flow into it,
# SIGTERM it, and require it to exit within LIMIT seconds with its summary logged and its output
# flushed (every line complete), then start the next sink on the same address. Then the same
# for the exporter: ROUNDS/3 exporters SIGTERMed while they deliver to a live sink.
# Usage: sink_shutdown.sh BUILD_DIR [ROUNDS] [LIMIT_SECONDS] [tcp|ipc]
set -euo pipefail
source "$(dirname "$0")/../integration/delivery_lib.sh"
rounds=${2:-30}
limit=${3:-5}
scheme=${4:-tcp}
if [ "$scheme" = tcp ]; then url="tcp://127.0.0.1:$(free_port)"; else url="ipc://$work/sink.ipc"; fi

# About 20000 records/s for as long as the rounds may take; the ring absorbs the gaps between
# sinks (drops while it is full are the capture's, counted, and no concern here).
write_capture_config 4000000 20000
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" &
pids+=($!)
BATCH=200 write_exporter_config "exporter: {type: nng}
nng: {url: \"$url\", mode: req, timeout: 2s}"
start_exporter exporter.log

# stop_within PID WHAT ROUND: SIGTERM, then the process must be gone within $limit seconds
# with exit status 0; counts how often the shutdown watchdog had to end it.
watchdog=0
stop_within() {
  kill -TERM "$1"
  for _ in $(seq 1 $((limit * 10))); do
    alive "$1" || break
    sleep 0.1
  done
  if alive "$1"; then
    kill -KILL "$1" || true
    wait "$1" 2>/dev/null || true
    fail "round $3: $2 still running ${limit} s after SIGTERM"
  fi
  local rc=0
  wait "$1" || rc=$?
  [ "$rc" -eq 0 ] || fail "round $3: $2 exit status $rc"
}

for i in $(seq 1 "$rounds"); do
  out="$work/sink-$i.jsonl"
  "$build/cli/asimdns" sink --listen "$url" --format asim-json --out "$out" \
    2>"$work/sink-round.log" &
  sink=$!
  # Under load: some requests have come in (not just a connection).
  wait_until 20 test -s "$out" || fail "round $i: the sink received nothing in 20 s"
  sleep "0.$((RANDOM % 5))"
  stop_within "$sink" sink "$i"
  grep -q "did not finish within" "$work/sink-round.log" && watchdog=$((watchdog + 1))
  grep -q "requests, .* records" "$work/sink-round.log" || fail "round $i: no summary line"
  # Flushed: the file ends with a complete line.
  [ "$(tail -c 1 "$out" | od -An -c | tr -d ' ')" = '\n' ] || fail "round $i: output not flushed"
  rm -f "$out"
  cat "$work/sink-round.log" >>"$work/sinks.txt"
done
alive "$exp_pid" || fail "the exporter died"
sink_watchdog=$watchdog

# The exporter side: SIGTERM while it delivers to a live sink.
watchdog=0
"$build/cli/asimdns" sink --listen "$url" --format count 2>"$work/sink.log" &
pids+=($!)
stop_within "$exp_pid" exporter 0
for i in $(seq 1 $((rounds / 3))); do
  : >"$work/exporter-round.log"
  start_exporter exporter-round.log
  sent() { [ "$(grep -c "acknowledged" "$work/exporter-round.log")" -ge 3 ]; }
  wait_until 20 sent || fail "exporter round $i: no batch acknowledged in 20 s"
  stop_within "$exp_pid" exporter "$i"
  grep -q "did not finish within" "$work/exporter-round.log" && watchdog=$((watchdog + 1))
  cat "$work/exporter-round.log" >>"$work/exporters.txt"
done
echo "1 passed, 0 failed: $rounds sinks and $((rounds / 3)) exporters stopped within ${limit} s" \
  "of SIGTERM under load (the shutdown watchdog ended $sink_watchdog sinks and $watchdog" \
  "exporters stuck in nng's teardown)"
