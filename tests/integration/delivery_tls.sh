#!/usr/bin/env bash
# Integration: OTLP/HTTP over TLS (https://) with certificates made for the test by openssl:
# a verified server (ca_file), a server whose certificate the CA does not sign (no delivery,
# retries, nothing committed), insecure_skip_verify, and mutual TLS (cert_file/key_file).
# Needs openssl (scripts/deps installs it); without it the test fails.
# Usage: delivery_tls.sh BUILD_DIR [N]
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
n=${2:-2000}
make_test_certs
export RX_SCHEME=https

write_capture_config "$n" 0
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log"

# run_case NAME TLS_YAML [receiver options...]: one exporter run against a fresh receiver.
run_case() {
  local name=$1 tls=$2
  shift 2
  rm -f "$work/ids"
  start_receiver 0 --tls-cert "$work/server.pem" --tls-key "$work/server.key" "$@"
  # timeout 10s: the test receiver handles one request at a time, so with two batches in flight
  # one answer waits for the other request's decoding (seconds under ASan); an answer later
  # than the timeout makes a re-send, i.e. a duplicate this test does not allow.
  write_exporter_config "exporter: {type: otlp_http}
otlp_http: {endpoint: \"https://127.0.0.1:$rx_port\", timeout: 10s, tls: $tls}"
  start_exporter "exporter-$name.log" --max-idle 1
}

# A run that must deliver everything (the ring is re-read: nothing was committed before).
expect_delivery() {
  wait_exit "$exp_pid" 60 || fail "exporter ($1) failed"
  dups=$(check_ids "$work/ids" 1 "$n")
  [ "$dups" -eq 0 ] || fail "$1: duplicates"
  stop_receiver
}

# A run that must not get through: retries, no record acknowledged, then a clean stop.
expect_refused() {
  wait_until 30 retried || fail "$1: no retries"
  [ ! -s "$work/ids" ] || fail "$1: records arrived"
  kill -TERM "$exp_pid"
  wait_exit "$exp_pid" 10 || fail "$1: exporter did not stop cleanly"
  stop_receiver
}

run_case wrong-ca "{ca_file: \"$work/other.pem\"}"
expect_refused wrong-ca
[ "$(counter records_exported)" -eq 0 ] || fail "exported through an unverified server"

run_case verified "{ca_file: \"$work/server.pem\", server_name: localhost}"
expect_delivery verified

"$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log"
run_case insecure "{insecure_skip_verify: true}"
expect_delivery insecure

"$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log"
run_case no-client-cert "{ca_file: \"$work/server.pem\", server_name: localhost}" --tls-client-ca "$work/client.pem"
expect_refused no-client-cert
run_case mtls "{ca_file: \"$work/server.pem\", server_name: localhost, cert_file: \"$work/client.pem\", key_file: \"$work/client.key\"}" \
  --tls-client-ca "$work/client.pem"
expect_delivery mtls
echo "1 passed, 0 failed: https verified, refused with a wrong CA, insecure_skip_verify, mutual TLS"
