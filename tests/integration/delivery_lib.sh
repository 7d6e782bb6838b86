# Shared helpers for the delivery integration tests (sourced, not run).
# Every process a test starts is remembered and stopped by pid on exit; rings are removed;
# only 127.0.0.1 and ipc:// paths inside the test's temp dir are used.
# The work dir, the pid-tracking cleanup, fail, wait_exit and free_port come from
# tests/lib/testlib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

build=${1:?usage: $0 BUILD_DIR ...}
tl_start "$build"
TL_FAIL_TAIL=40
ring="it-dlv-$$-$RANDOM"
tl_rings+=("$ring")
rx_pid=
tl_exit_hooks+=(stop_receiver)

# capture.yaml for N synthetic events at RATE per second (0 = as fast as possible).
write_capture_config() {
  write_synthetic_capture "$work/capture.yaml" "$ring" 64MiB 11 "$2" "$1"
}

# Batches in flight (batch.max_in_flight; 2 is the exporter's default). A crash or a lost answer
# re-sends at most this many batches, so duplicate bounds are multiples of it.
in_flight=${IN_FLIGHT:-2}

# exporter.yaml; $1 = the exporter/transport lines (YAML), the rest is common.
write_exporter_config() {
  cat >"$work/exporter.yaml" <<YAML
ring: {name: $ring}
$1
batch: {max_records: ${BATCH:-1000}, max_age: 200ms, max_in_flight: $in_flight}
retry: {initial_interval: 100ms, max_interval: 400ms, multiplier: 2, jitter: 0.5}
host_name: test-host.example.org
log: {level: debug}
YAML
}

# start_receiver PORT_OR_0 [receiver options...]: starts the test OTLP/HTTP receiver and sets
# rx_pid and rx_port.
start_receiver() {
  local port=$1
  shift
  rm -f "$work/port"
  "$build/tests/exporter/exporter_test_receiver" --listen "${RX_SCHEME:-http}://127.0.0.1:$port" \
    --port-file "$work/port" --ids "$work/ids" --records "$work/records.jsonl" \
    --log "$work/requests.log" "$@" 2>>"$work/receiver.log" &
  rx_pid=$!
  for _ in $(seq 1 100); do
    [ -s "$work/port" ] && break
    kill -0 "$rx_pid" 2>/dev/null || fail "receiver did not start"
    sleep 0.05
  done
  [ -s "$work/port" ] || fail "receiver did not report its port"
  rx_port=$(cat "$work/port")
}

# make_test_certs: self-signed certificates in the work dir for the TLS tests: server.pem/.key
# (localhost, 127.0.0.1), other.pem/.key (signs nothing the tests use) and client.pem/.key.
# Fails the test when openssl is not installed.
make_test_certs() {
  command -v openssl >/dev/null || { echo "FAIL: openssl not installed (run scripts/deps)"; exit 1; }
  make_tls_cert "$work" server localhost "DNS:localhost,IP:127.0.0.1"
  make_tls_cert "$work" other other.example
  make_tls_cert "$work" client asimdns-exporter
}

# start_exporter LOG [exporter options...]: starts the exporter on exporter.yaml in the background
# (stderr appended to LOG in the work dir) and sets exp_pid.
start_exporter() {
  "$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root "${@:2}" 2>>"$work/$1" &
  exp_pid=$!
  pids+=("$exp_pid")
}

stop_receiver() {
  if [ -n "$rx_pid" ]; then
    kill "$rx_pid" 2>/dev/null || true
    wait "$rx_pid" 2>/dev/null || true
    rx_pid=
  fi
}

# counter NAME: an exporter counter from `asimdns status --json`.
counter() { status_counter "$ring" "$1"; }
# retried: the exporter has retried at least one batch (polled, so load cannot make it flaky).
retried() { [ "$(counter batches_retried)" -gt 0 ]; }

# check_ids FILE FIRST LAST: every sequence FIRST..LAST appears at least once in FILE (one
# "<generation>-<sequence>" per line), and nothing else does. Prints the duplicate count.
check_ids() {
  local file=$1 first=$2 last=$3
  [ -f "$file" ] || fail "no ids file $file"
  sed 's/.*-//' "$file" | sort -n | awk -v a="$first" -v b="$last" '
    { if ($1 < a || $1 > b) { print "unexpected sequence " $1 > "/dev/stderr"; bad = 1 }
      if (!($1 in seen)) { seen[$1] = 1; uniq++ } else dup++ }
    END { for (s = a; s <= b; s++) if (!(s in seen)) { missing++; if (missing <= 5) print "missing " s > "/dev/stderr" }
          if (missing) { print "missing " missing " sequences" > "/dev/stderr"; bad = 1 }
          print dup + 0; exit bad }' || fail "sequences $first..$last did not all arrive"
}

# spool_while_receiver_down N SEED MAX_SIZE LOG: a synthetic capture of N records and an
# OTLP/HTTP exporter spooling to $work/spool while its receiver (port in $port) is down; returns
# once every record is in the spool, the capture gone and the exporter ($exp_pid, log in LOG)
# still running.
spool_while_receiver_down() {
  local n=$1 seed=$2 max_size=$3 log=$4 cap_pid
  write_synthetic_capture "$work/capture.yaml" "$ring" 4MiB "$seed" 0 "$n"
  start_receiver 0
  port=$rx_port
  stop_receiver
  write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"http://127.0.0.1:$port\", timeout: 1s}
spool: {enabled: true, directory: $work/spool, max_size: $max_size}"
  "$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture-$log" &
  cap_pid=$!
  pids+=("$cap_pid")
  start_exporter "$log"
  wait_exit "$cap_pid" 60 || fail "capture failed"
  spooled() { local c; c=$(counter spool_records_written); [ "${c:-0}" -ge "$n" ]; }
  wait_until 60 spooled || fail "records did not reach the spool"
}
