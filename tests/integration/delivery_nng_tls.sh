#!/usr/bin/env bash
# Integration: the nng transport over tls+tcp:// to `asimdns sink --listen tls+tcp://...`, with
# certificates made for the test by openssl and the exporter's nng.tls section: a verified
# receiver (ca_file + server_name), refused without server_name when the URL host is an IP
# address (mbedTLS checks the name), refused with a CA that did not sign the receiver's
# certificate, insecure_skip_verify, and mutual TLS (refused without a client certificate).
# The sink runs with --format count and reports distinct record-id sequence numbers.
# Needs openssl and python3 (scripts/deps installs both); without them the test fails.
# Usage: delivery_nng_tls.sh BUILD_DIR [N]
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
n=${2:-2000}
make_test_certs

new_ring() {
  "$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null 2>&1 || true
  "$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log"
}

# run_case NAME TLS_YAML [sink options...]: a fresh sink on a free port, then the exporter.
run_case() {
  local name=$1 tls=$2 port
  shift 2
  port=$(free_port)
  "$build/cli/asimdns" sink --listen "tls+tcp://127.0.0.1:$port" --format count \
    --tls-cert "$work/server.pem" --tls-key "$work/server.key" "$@" --max-idle 30 \
    2>"$work/sink-$name.log" &
  sink_pid=$!
  pids+=("$sink_pid")
  for _ in $(seq 1 100); do
    grep -q listening "$work/sink-$name.log" 2>/dev/null && break
    kill -0 "$sink_pid" 2>/dev/null || fail "$name: sink did not start"
    sleep 0.05
  done
  write_exporter_config "exporter: {type: nng}
nng: {url: \"tls+tcp://127.0.0.1:$port\", mode: req, timeout: 2s, tls: $tls}"
  start_exporter "exporter-$name.log" --max-idle 1
}

stop_sink() {
  kill -TERM "$sink_pid" 2>/dev/null || true
  wait "$sink_pid" 2>/dev/null || true
}

# Everything arrived: the sink saw n distinct sequence numbers, none missing, and says so.
expect_delivery() {
  wait_exit "$exp_pid" 60 || fail "exporter ($1) failed"
  stop_sink
  grep -q "ids: $n distinct, first 1, last $n, 0 missing" "$work/sink-$1.log" ||
    fail "$1: sink did not receive 1..$n: $(grep 'ids:' "$work/sink-$1.log")"
  [ "$(counter records_exported)" -eq "$n" ] || fail "$1: records_exported $(counter records_exported)"
}

# Nothing gets through: the exporter retries, nothing is committed, it stops cleanly.
expect_refused() {
  wait_until 30 retried || fail "$1: no retries"
  [ "$(counter records_exported)" -eq 0 ] || fail "$1: exported through a refused connection"
  kill -TERM "$exp_pid"
  wait_exit "$exp_pid" 10 || fail "$1: exporter did not stop cleanly"
  stop_sink
  grep -q " 0 records" "$work/sink-$1.log" || fail "$1: the sink received records"
}

write_capture_config "$n" 0
new_ring

run_case wrong-ca "{ca_file: \"$work/other.pem\", server_name: localhost}"
expect_refused wrong-ca

run_case ip-without-name "{ca_file: \"$work/server.pem\"}"
expect_refused ip-without-name

run_case verified "{ca_file: \"$work/server.pem\", server_name: localhost}"
expect_delivery verified

new_ring
run_case insecure "{insecure_skip_verify: true}"
expect_delivery insecure

new_ring
run_case no-client-cert "{ca_file: \"$work/server.pem\", server_name: localhost}" \
  --tls-client-ca "$work/client.pem"
expect_refused no-client-cert
run_case mtls "{ca_file: \"$work/server.pem\", server_name: localhost, cert_file: \"$work/client.pem\", key_file: \"$work/client.key\"}" \
  --tls-client-ca "$work/client.pem"
expect_delivery mtls

# The sink refuses TLS options without a tls+tcp:// URL and a tls+tcp:// URL without them.
"$build/cli/asimdns" sink --listen "tls+tcp://127.0.0.1:1" --max-idle 1 2>/dev/null &&
  fail "sink listened on tls+tcp:// without a certificate"
"$build/cli/asimdns" sink --listen "tcp://127.0.0.1:1" --tls-cert "$work/server.pem" \
  --tls-key "$work/server.key" --max-idle 1 2>/dev/null &&
  fail "sink took TLS options for tcp://"
echo "1 passed, 0 failed: nng tls+tcp:// verified, refused (wrong CA, IP without server_name," \
  "no client certificate), insecure_skip_verify, mutual TLS"
