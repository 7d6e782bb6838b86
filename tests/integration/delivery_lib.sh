# Shared helpers for the delivery integration tests (sourced, not run).
# Every process a test starts is remembered and stopped by pid on exit; rings are removed;
# only 127.0.0.1 and ipc:// paths inside the test's temp dir are used.

build=${1:?usage: $0 BUILD_DIR ...}
work=$(mktemp -d)
ring="it-dlv-$$-$RANDOM"
pids=()
rx_pid=

cleanup() {
  for p in "${pids[@]}" $rx_pid; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}" $rx_pid; do
    wait "$p" 2>/dev/null || true
  done
  "$build/exporter/asimdns" remove-ring --ring "$ring" >/dev/null 2>&1 || true
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/*.log; do
    [ -f "$f" ] && { echo "--- $f (last 40 lines)" >&2; tail -n 40 "$f" >&2; }
  done
  exit 1
}

# capture.yaml for N synthetic events at RATE per second (0 = as fast as possible).
write_capture_config() {
  cat >"$work/capture.yaml" <<YAML
source:
  type: synthetic
  synthetic: {seed: 11, rate: $2, count: $1, mix: both}
ring: {name: $ring, size: 64MiB}
YAML
}

# exporter.yaml; $1 = the exporter/transport lines (YAML), the rest is common.
write_exporter_config() {
  cat >"$work/exporter.yaml" <<YAML
ring: {name: $ring}
$1
batch: {max_records: ${BATCH:-1000}, max_age: 200ms}
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

stop_receiver() {
  if [ -n "$rx_pid" ]; then
    kill "$rx_pid" 2>/dev/null || true
    wait "$rx_pid" 2>/dev/null || true
    rx_pid=
  fi
}

# wait_exit PID SECONDS: waits for a child to end (its exit status is returned); fails the test
# when it is still running after SECONDS.
wait_exit() {
  local pid=$1 limit=$(( $2 * 10 ))
  for _ in $(seq 1 "$limit"); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && fail "process $pid still running after $2 s"
  wait "$pid"
}

# counter NAME: an exporter counter from `asimdns status --json`.
counter() {
  local json
  json=$("$build/exporter/asimdns" status --ring "$ring" --json 2>/dev/null || true)
  grep -o "\"$1\":[0-9]*" <<<"$json" | tail -n 1 | cut -d: -f2
}

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
