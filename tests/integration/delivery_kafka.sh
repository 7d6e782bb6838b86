#!/usr/bin/env bash
# Integration: asimdns-capture (synthetic) -> ring -> asimdns-exporter (kafka) -> librdkafka's
# mock cluster (3 brokers on 127.0.0.1, in tests/exporter/kafka_helper.c), read back by a real
# librdkafka consumer that decodes every message per encoding and checks its headers.
#   1. Each encoding (otlp_proto, otlp_json, asim_json; gzip/lz4/zstd/snappy; host and
#      per-record partition keys): every record id arrives exactly once.
#   2. Faults the idempotent producer absorbs (produce request errors, leader changes, a short
#      outage of every broker) while records stream: every id arrives, no duplicates.
#   3. The broker refuses produce requests (topic authorization): the error is logged with the
#      broker's words and counted in transport_fatal_errors (`asimdns status`, /metrics); once
#      the refusals stop, every record arrives.
#   4. Faults it cannot absorb (produce answers slower than kafka.timeout, an outage longer than
#      it): every id arrives; duplicates at most one batch per retried batch; while no broker
#      answers the committed cursor does not move.
#   5. The exporter SIGKILLed KILLS times mid-stream: nothing lost, at most one batch re-sent
#      per kill.
# Usage: delivery_kafka.sh BUILD_DIR [N=6000] [KILLS=4]
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
n=${2:-6000}
kills=${3:-4}
BATCH=500
helper="$build/tests/exporter/exporter_test_kafka"
[ -x "$helper" ] || fail "$helper not built (librdkafka-dev missing?)"

# ---- the mock cluster -----------------------------------------------------------------------
# The mock keeps the last 5 MiB (or 100000 message sets) of a partition and deletes older ones:
# each phase writes its own topic and stays well below that (after compression).
mkfifo "$work/mock.cmd"
"$helper" mock --bootstrap-file "$work/bootstrap" --topic enc-proto,enc-json,enc-asim,enc-snappy,faults,slow,kill,auth \
  --commands "$work/mock.cmd" --log "$work/mock-applied.log" 2>>"$work/mock.log" &
mock_pid=$!
pids+=("$mock_pid")
wait_until 20 test -s "$work/bootstrap" || fail "mock cluster did not start"
[ -f "$work/mock-applied.log" ] || fail "mock cluster has no command log"
bootstrap=$(cat "$work/bootstrap")

# mock CMD...: applies one fault command and waits until the mock cluster confirms it (the
# mock cluster creates its log at start and appends a line per command).
applied() { [ "$(wc -l <"$work/mock-applied.log")" -gt "$1" ]; }
mock() {
  local before
  before=$(wc -l <"$work/mock-applied.log")
  echo "$*" >"$work/mock.cmd"
  wait_until 10 applied "$before" || fail "mock cluster did not apply '$*'"
  tail -n 1 "$work/mock-applied.log" | grep -q '^ok ' || fail "mock cluster refused '$*'"
}

# kafka_config TOPIC ENCODING COMPRESSION KEY TIMEOUT [YAML]: exporter.yaml for the kafka
# transport (YAML: more top-level lines).
kafka_config() {
  write_exporter_config "exporter: {type: kafka}
kafka: {brokers: \"$bootstrap\", topic: $1, encoding: $2, compression: $3, partition_key: $4,
        timeout: $5, client_id: asimdns-test}
${6:-}"
}

# consume TOPIC ENCODING N: reads the topic back; sets got_* from the consumer's summary line.
consume() {
  local line
  line=$("$helper" consume --bootstrap "$bootstrap" --topic "$1" --encoding "$2" --expect "$3" \
    --timeout-ms 60000 2>>"$work/consumer.log") || fail "consumer: bad messages in $1 ($line)"
  echo "$1 ($2): $line" >&2
  for kv in $line; do
    printf -v "got_${kv%%=*}" '%s' "${kv#*=}"
  done
  [ "$got_missing" -eq 0 ] && [ "$got_gaps" -eq 0 ] || fail "$1: records missing: $line"
}

# exported_at_least N: the exporter counted N records acknowledged (evaluated on each poll).
exported_at_least() { [ "$(counter records_exported)" -ge "$1" ]; }

new_ring() {
  "$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null 2>&1 || true
}

# stream TOPIC TIMEOUT LOG: a fresh ring, capture writing m records at rate per second in the
# background (cap_pid), and the exporter (otlp_proto, lz4) producing them to TOPIC (exp_pid).
stream() {
  new_ring
  write_capture_config "$m" "$rate"
  kafka_config "$1" otlp_proto lz4 host "$2"
  "$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>>"$work/capture.log" &
  cap_pid=$!
  pids+=("$cap_pid")
  start_exporter "$3"
}

# PHASES (environment) picks phases when debugging; the test runs them all.
phase() { [[ " ${PHASES:-1 2 3 4 5} " == *" $1 "* ]]; }
fault_note="idempotent faults skipped"
auth_note="authorization skipped"
kill_note="SIGKILL skipped"

# ---- 1. every encoding, no faults -----------------------------------------------------------
for spec in "enc-proto otlp_proto zstd host" "enc-json otlp_json gzip host" \
            "enc-asim asim_json lz4 dns_query" "enc-snappy otlp_proto snappy src_ip"; do
  phase 1 || break
  read -r topic enc comp key <<<"$spec"
  m=$n
  [ "$key" = host ] || m=$((n / 4)) # per-record keys: one record per message
  new_ring
  write_capture_config "$m" 0
  "$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>>"$work/capture.log"
  kafka_config "$topic" "$enc" "$comp" "$key" 10s
  timeout 120 "$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root \
    --max-idle 2 2>>"$work/exporter.log" || fail "exporter ($enc) exited with an error"
  consume "$topic" "$enc" "$m"
  [ "$got_duplicates" -eq 0 ] || fail "$topic: $got_duplicates duplicates without faults"
  [ "$(counter records_exported)" -eq "$m" ] || fail "$topic: records_exported $(counter records_exported)"
  if [ "$key" = host ] && [ "$enc" != asim_json ]; then
    [ "$got_messages" -eq "$(counter batches_ok)" ] || fail "$topic: $got_messages messages for $(counter batches_ok) batches"
  else
    [ "$got_messages" -eq "$m" ] || fail "$topic: $got_messages messages for $m records (one per record)"
  fi
done

# ---- 2. faults the idempotent producer absorbs ---------------------------------------------
rate=2000
m=$((rate * 8))
if phase 2; then
stream faults 30s exporter-faults.log
sleep 1
mock errors 4 6    # NOT_LEADER_FOR_PARTITION
sleep 0.5
mock errors 3 7    # REQUEST_TIMED_OUT
sleep 0.5
mock errors 2 -195 # the broker drops the connection mid-request (_TRANSPORT)
sleep 0.5
for p in 0 1 2; do mock leader faults "$p" $(( (p + 1) % 3 + 1 )); done
sleep 1
mock down -1
sleep 2
mock up -1
sleep 0.5
for p in 0 1 2; do mock leader faults "$p" $(( p % 3 + 1 )); done
wait_exit "$cap_pid" 120 || fail "capture failed"
wait_until 60 exported_at_least "$m" || fail "exporter did not catch up: $(counter records_exported) of $m"
kill -TERM "$exp_pid"
wait_exit "$exp_pid" 60 || fail "exporter did not stop cleanly"
consume faults otlp_proto "$m"
[ "$got_duplicates" -eq 0 ] || fail "faults: $got_duplicates duplicates the idempotent producer should have prevented"
[ "$(counter batches_retried)" -eq 0 ] || fail "faults: $(counter batches_retried) batches retried by the exporter (kafka.timeout 30s)"
fault_note="idempotent faults: $m records, 0 duplicates"
fi

# ---- 3. authorization refused, then granted -------------------------------------------------
# (before phase 4: once a mock broker had errors of its own, it ignores the cluster-wide ones)
if phase 3; then
new_ring
m=2000
write_capture_config "$m" 0
mport=$(free_port)
kafka_config auth otlp_proto lz4 host 10s "metrics: {listen: \"127.0.0.1:$mport\"}"
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>>"$work/capture.log"
mock errors 3 29 # TOPIC_AUTHORIZATION_FAILED
start_exporter exporter-auth.log --max-idle 3
metric_seen() {
  curl -sf "http://127.0.0.1:$mport/metrics" >"$work/metrics.txt" &&
    grep -Eq '^asimdns_transport_fatal_errors_total\{component="exporter"\} [1-9]' "$work/metrics.txt"
}
wait_until 30 metric_seen || fail "/metrics does not show asimdns_transport_fatal_errors_total"
wait_exit "$exp_pid" 120 || fail "exporter (auth) failed"
[ "$(counter transport_fatal_errors)" -ge 1 ] || fail "status: transport_fatal_errors $(counter transport_fatal_errors)"
grep -q 'error: kafka: .*[Aa]uthorization failed' "$work/exporter-auth.log" || fail "no error line naming the authorization failure"
consume auth otlp_proto "$m"
[ "$got_duplicates" -le $(( $(counter batches_retried) * BATCH )) ] || fail "auth: $got_duplicates duplicates"
auth_note="authorization refusals counted ($(counter transport_fatal_errors)) and recovered"
fi

# ---- 4. faults it cannot absorb: answers slower than kafka.timeout, a long outage -----------
if phase 4; then
rate=2000
m=$((rate * 8))
stream slow 2s exporter-slow.log
sleep 1
for b in 1 2 3; do mock slow "$b" 2 3000; done
sleep 3
mock down -1
sleep 1.5 # every report of what was in flight has come back by now (kafka.timeout 2s)
seq_down=$(status_counter "$ring" committed_seq)
exported_down=$(counter records_exported)
sleep 3
[ "$(status_counter "$ring" committed_seq)" = "$seq_down" ] ||
  fail "the cursor moved from $seq_down to $(status_counter "$ring" committed_seq) while no broker was up"
[ "$(counter records_exported)" = "$exported_down" ] || fail "records counted exported while no broker was up"
mock up -1
wait_exit "$cap_pid" 120 || fail "capture failed"
wait_until 90 exported_at_least "$m" || fail "exporter did not catch up: $(counter records_exported) of $m"
kill -TERM "$exp_pid"
wait_exit "$exp_pid" 60 || fail "exporter did not stop cleanly"
retried=$(counter batches_retried)
[ "$retried" -ge 1 ] || fail "slow: no batch was retried although answers took longer than kafka.timeout"
consume slow otlp_proto "$m"
[ "$got_duplicates" -le $((retried * BATCH)) ] || fail "slow: $got_duplicates duplicates for $retried retried batches"
fault_note="$fault_note; timeouts and outage: $retried batches retried, $got_duplicates duplicates"
fi

# ---- 5. SIGKILL mid-stream ------------------------------------------------------------------
if phase 5; then
new_ring
rate=4000
m=$((rate * 4))
write_capture_config "$m" "$rate"
kafka_config kill otlp_proto lz4 host 10s
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>>"$work/capture.log" &
cap_pid=$!
pids+=("$cap_pid")
for _ in $(seq 1 "$kills"); do
  start_exporter exporter-kill.log
  sleep 0.$((6 + RANDOM % 4))
  kill -KILL "$exp_pid"
  wait "$exp_pid" 2>/dev/null || true
done
wait_exit "$cap_pid" 120 || fail "capture failed"
start_exporter exporter-kill.log --max-idle 2
wait_exit "$exp_pid" 120 || fail "final exporter failed"
consume kill otlp_proto "$m"
[ "$got_duplicates" -le $((kills * BATCH)) ] || fail "kill: $got_duplicates duplicates: more than one batch per kill"
[ "$(counter sequence_gaps)" -eq 0 ] || fail "sequence gaps"
kill_note="$kills SIGKILLs: nothing lost, $got_duplicates duplicates"
fi

echo "1 passed, 0 failed: 4 encodings exactly once; $fault_note; $auth_note; $kill_note"
