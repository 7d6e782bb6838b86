#!/usr/bin/env bash
# Integration: exporter.type logs_ingestion against tests/integration/sentinel_server.py, a
# stand-in for Microsoft Entra, IMDS/Azure Arc and the Logs Ingestion API on 127.0.0.1 with
# real TLS (certificates made by openssl for the test). Each case runs capture (synthetic
# events into a fresh ring) and the exporter, then checks that every record id arrived (none
# lost; duplicates only where an answer was lost after the server took the rows), the
# exporter's counters, whether it retried, and that the server saw no contract violation.
# Usage: sentinel.sh BUILD_DIR [N] [CASE...]
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
n=${2:-3000}
shift 2 || true
make_test_certs
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout "$work/app.key" -out "$work/app.pem" \
  -subj "/CN=asimdns-sentinel-test-app" 2>/dev/null || fail "openssl could not make the app certificate"
secret="s3cr3t-$RANDOM-$RANDOM~value"
printf '%s\n' "$secret" >"$work/secret"
chmod 600 "$work/secret"
mkdir -p "$work/arc"
tenant=test-tenant
dcr=dcr-0123456789abcdef0123456789abcdef
sv_pid=
tl_exit_hooks+=(stop_server)

stop_server() {
  if [ -n "$sv_pid" ]; then
    kill "$sv_pid" 2>/dev/null || true
    wait "$sv_pid" 2>/dev/null || true
    sv_pid=
  fi
}

# start_server [server options...]: sets sv_port (HTTPS) and mi_port (plain HTTP).
start_server() {
  rm -f "$work/port" "$work/ids" "$work/summary.json"
  python3 "$here/sentinel_server.py" --cert "$work/server.pem" --key "$work/server.key" \
    --client-cert "$work/app.pem" --secret-file "$work/secret" --tenant "$tenant" --dcr "$dcr" \
    --columns "$here/asim_dns_columns.txt" --dcr-template "$top/deploy/sentinel/dcr.json" \
    --arc-dir "$work/arc" --port-file "$work/port" --ids "$work/ids" \
    --summary "$work/summary.json" --log "$work/server.log" "$@" 2>>"$work/server-err.log" &
  sv_pid=$!
  wait_until 10 server_ready || fail "server did not report its ports"
  read -r sv_port mi_port <"$work/port"
  touch "$work/ids"
}

server_ready() {
  alive "$sv_pid" || fail "server did not start: $(tail -3 "$work/server-err.log")"
  [ -s "$work/port" ]
}

# summary KEY: a number from the server's summary (a.b for nested keys).
summary() {
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v.get(k, 0) if isinstance(v, dict) else 0
print(v if not isinstance(v, list) else len(v))' "$work/summary.json" "$1"
}

# auth_yaml METHOD: the auth section for one method.
auth_yaml() {
  case $1 in
    secret) echo "{method: client_secret, tenant_id: $tenant, client_id: 11111111-2222-3333-4444-555555555555, client_secret_file: \"$work/secret\", authority_host: \"https://127.0.0.1:$sv_port\"${AUTH_EXTRA:-}}" ;;
    secret_env) echo "{method: client_secret, tenant_id: $tenant, client_id: 11111111-2222-3333-4444-555555555555, client_secret_env: LI_TEST_SECRET, authority_host: \"https://127.0.0.1:$sv_port\"}" ;;
    cert) echo "{method: client_certificate, tenant_id: $tenant, client_id: 11111111-2222-3333-4444-555555555555, certificate_file: \"$work/app.pem\", key_file: \"$work/app.key\", authority_host: \"https://127.0.0.1:$sv_port\"}" ;;
    imds) echo "{method: managed_identity, managed_identity: imds, identity_endpoint: \"http://127.0.0.1:$mi_port/metadata/identity/oauth2/token\"}" ;;
    arc_auto) echo "{method: managed_identity, arc_token_dir: \"$work/arc\"}" ;;
    arc) echo "{method: managed_identity, managed_identity: arc, identity_endpoint: \"http://127.0.0.1:$mi_port/metadata/identity/oauth2/token\", arc_token_dir: \"${ARC_DIR:-$work/arc}\"}" ;;
  esac
}

# start_case NAME AUTH COUNT RATE EXTRA_YAML: a fresh ring with COUNT events at RATE/s (0: all
# written before the exporter starts, so batches are full and deterministic) and the exporter
# started in the background (exp_pid). EXTRA_YAML goes into the logs_ingestion section.
start_case() {
  local name=$1 auth=$2 count=$3 rate=$4 extra=$5
  "$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null 2>&1 || true
  write_capture_config "$count" "$rate"
  if [ "$rate" -eq 0 ]; then
    "$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" || fail "capture failed"
  else
    "$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" &
    pids+=("$!")
  fi
  write_exporter_config "exporter: {type: logs_ingestion}
logs_ingestion:
  endpoint: \"https://127.0.0.1:$sv_port\"
  dcr_immutable_id: $dcr
  tls: {ca_file: \"$work/server.pem\", server_name: localhost}
  auth: $(auth_yaml "$auth")
  $extra
${TOP_EXTRA:-}"
  : >"$work/exporter-$name.log"
  start_exporter "exporter-$name.log" --max-idle "${IDLE:-2}"
}

# run_case ...: start_case, then wait for the exporter to finish (idle) and check the server.
run_case() {
  start_case "$@"
  wait_exit "$exp_pid" "${LIMIT_S:-120}" "exporter ($1)" || fail "exporter ($1) failed"
  [ "$(summary violations)" -eq 0 ] || fail "$1: the server saw contract violations: $(grep -h 'answer 400' "$work/server.log" | head -3)"
}

all_exported() { [ "$(counter records_exported)" = "$1" ]; }

check_all() { # check_all NAME COUNT MAX_DUPS
  local dups
  dups=$(check_ids "$work/ids" 1 "$2")
  [ "$dups" -le "$3" ] || fail "$1: $dups duplicates (at most $3 expected)"
  echo "$dups"
}

expect_counter() { # expect_counter NAME OP VALUE
  local v
  v=$(counter "$1")
  [ "${v:-0}" "$2" "$3" ] || fail "counter $1 = ${v:-none}, expected $2 $3"
}

case_secret() {
  # The server enforces our default max_request_bytes to the byte: a 413 would mean we sent more.
  start_server --expect-gzip --max-body 1000000
  local mport
  mport=$(free_port)
  TOP_EXTRA="metrics: {listen: \"127.0.0.1:$mport\"}" IDLE=4 start_case secret secret "$n" 0 ""
  wait_until 60 all_exported "$n" || fail "secret: not everything was exported"
  # The same counters reach /metrics.
  curl -sf "http://127.0.0.1:$mport/metrics" >"$work/metrics.txt" || fail "no /metrics"
  for m in li_requests li_bytes_uncompressed li_bytes_compressed li_splits_413 li_throttled \
           li_token_refreshes li_auth_failures li_requests_rejected li_fields_truncated; do
    grep -q "^asimdns_${m}_total{component=\"exporter\"}" "$work/metrics.txt" || fail "/metrics lacks $m"
  done
  grep -q '^asimdns_li_token_refreshes_total{component="exporter"} 1$' "$work/metrics.txt" ||
    fail "/metrics: token refreshes not 1"
  wait_exit "$exp_pid" 60 "exporter (secret)" || fail "exporter (secret) failed"
  check_all secret "$n" 0 >/dev/null
  expect_counter li_token_refreshes -eq 1
  expect_counter li_requests -ge 1
  expect_counter li_auth_failures -eq 0
  expect_counter li_splits_413 -eq 0
  [ "$(counter li_bytes_compressed)" -lt "$(counter li_bytes_uncompressed)" ] || fail "gzip did not shrink"
  [ "$(summary tokens.client_secret)" -eq 1 ] || fail "token endpoint saw $(summary tokens.client_secret) secret grants"
  [ "$(summary max_body)" -le 1000000 ] || fail "a request of $(summary max_body) bytes exceeds max_request_bytes"
  stop_server
}

case_secret_env_cert() {
  start_server
  LI_TEST_SECRET="$secret" run_case secret-env secret_env 500 0 "compression: none"
  check_all secret-env 500 0 >/dev/null
  [ "$(summary gzip_requests)" -eq 0 ] || fail "compression none still sent gzip"
  stop_server
  # cloud: usgov asks for the US Government scope (the authority is overridden to the server).
  start_server --scope "https://monitor.azure.us//.default"
  AUTH_EXTRA=", cloud: usgov" run_case usgov secret 200 0 ""
  check_all usgov 200 0 >/dev/null
  [ "$(summary token_refused)" -eq 0 ] || fail "usgov: the scope was not https://monitor.azure.us//.default"
  stop_server
  start_server --expect-gzip
  run_case cert cert "$n" 0 ""
  check_all cert "$n" 0 >/dev/null
  [ "$(summary tokens.client_assertion)" -eq 1 ] || fail "no verified client assertion"
  [ "$(summary token_refused)" -eq 0 ] || fail "the token endpoint refused an assertion: $(grep 'token refused' "$work/server.log" | head -2)"
  stop_server
}

case_managed_identity() {
  start_server
  run_case imds imds 500 0 ""
  check_all imds 500 0 >/dev/null
  [ "$(summary tokens.imds)" -eq 1 ] || fail "no IMDS token"
  stop_server
  start_server
  run_case arc arc 500 0 ""
  check_all arc 500 0 >/dev/null
  [ "$(summary tokens.arc)" -eq 1 ] || fail "no Arc token"
  [ "$(summary arc_challenges)" -eq 1 ] || fail "no Arc challenge"
  stop_server
  # managed_identity: auto picks Arc from the agent's environment (IDENTITY_ENDPOINT, IMDS_ENDPOINT).
  start_server
  IDENTITY_ENDPOINT="http://127.0.0.1:$mi_port/metadata/identity/oauth2/token" \
    IMDS_ENDPOINT="http://127.0.0.1:$mi_port" run_case arc-auto arc_auto 200 0 ""
  check_all arc-auto 200 0 >/dev/null
  [ "$(summary tokens.arc)" -eq 1 ] || fail "auto did not use the Arc endpoint"
  stop_server
  # A challenge naming a file outside arc_token_dir is refused: counted, retried with backoff,
  # nothing sent, nothing committed.
  start_server
  mkdir -p "$work/elsewhere"
  ARC_DIR="$work/elsewhere" start_case arc-outside arc 50 0 ""
  wait_until 30 auth_failed_twice || fail "arc-outside: no counted token failures"
  [ ! -s "$work/ids" ] || fail "arc-outside: records arrived without a token"
  [ "$(summary tokens.arc)" -eq 0 ] || fail "arc-outside: a token was issued"
  kill -TERM "$exp_pid"
  wait_exit "$exp_pid" 10 "exporter (arc-outside)" || fail "exporter (arc-outside) did not stop cleanly"
  grep -q "not a .key file in" "$work/exporter-arc-outside.log" || fail "arc-outside: refusal not logged"
  expect_counter records_exported -eq 0
  stop_server
}

auth_failed_twice() { [ "$(counter li_auth_failures)" -ge 2 ]; }

# Scripted answers: 401 (token refreshed once, same part re-sent), 429 and 503 with
# Retry-After (throttled, retried after it), a dropped connection and 500 (retried), 413
# (split in halves): every record arrives exactly once.
case_faults() {
  start_server --expect-gzip --script "ok,401,429:1,ok,503:1,drop,500,413,ok"
  # One batch in flight: each scripted answer meets the request it is meant for. (With more,
  # the scripted 401 expires the token another lane is sending with at that moment, and that
  # lane's real 401 takes the place of the scripted 429; integration_sentinel_lanes covers
  # lanes sharing a token.)
  in_flight=1 BATCH=400 run_case faults secret "$n" 0 "max_request_bytes: 200000"
  local dups
  dups=$(check_all faults "$n" 0)
  expect_counter li_throttled -ge 2
  expect_counter li_splits_413 -ge 1
  expect_counter li_token_refreshes -ge 2
  # 429, 503, 500 and the dropped connection; a drop on a connection idle for a second is
  # retried at once on a new one (transport_http's rule), so it may not count as a retry.
  expect_counter batches_retried -ge 3
  [ "$(summary ingest_requests)" -ge 9 ] || fail "fewer requests than scripted answers"
  expect_counter records_rejected -eq 0
  [ "$(summary answers.401)" -eq 1 ] || fail "expected one 401"
  grep -q 'retry_after 1000 ms' "$work/exporter-faults.log" || fail "Retry-After was not honoured"
  echo "faults: $dups duplicates, $(counter li_requests) requests, $(counter li_splits_413) splits" >&2
  stop_server
  # An answer lost after the server took the rows: the retry may duplicate only those rows.
  start_server --script "ok,takedrop"
  BATCH=500 run_case takedrop secret 2000 0 ""
  dups=$(check_all takedrop 2000 500)
  [ "$dups" -gt 0 ] || fail "takedrop: the lost answer should have caused duplicates (test proves nothing)"
  stop_server
}

# An answer announcing a 100 MB body is not read into memory: its status counts at once (the
# body is left unread, the connection dropped) and the batch is retried within the timeout.
case_bounded() {
  start_server --script "huge"
  BATCH=500 run_case bounded secret 1000 0 "timeout: 5s"
  check_all bounded 1000 0 >/dev/null
  grep -q "HTTP 500" "$work/exporter-bounded.log" || fail "bounded: the 500 was not seen before the timeout"
  if grep -q "timed out" "$work/exporter-bounded.log"; then fail "bounded: waited for the announced body"; fi
  stop_server
}

# 403 (no Monitoring Metrics Publisher role) and 400 are rejected, not retried; the service's
# message is logged; the rows of those requests are counted as rejected, the rest arrive.
case_rejects() {
  start_server --script "ok,403,400,ok"
  BATCH=500 run_case rejects secret 2000 0 ""
  local got
  got=$(sort -u "$work/ids" | wc -l)
  [ "$got" -eq 1000 ] || fail "rejects: $got distinct records arrived, expected 1000 (2 of 4 batches refused)"
  expect_counter records_rejected -eq 1000
  expect_counter li_requests_rejected -eq 2
  expect_counter li_auth_failures -eq 1
  expect_counter batches_retried -eq 0
  grep -q "Monitoring Metrics Publisher" "$work/exporter-rejects.log" || fail "403 hint not logged"
  grep -q "InvalidStream" "$work/exporter-rejects.log" || fail "the service's 400 message was not logged"
  stop_server
}

# The server's limit is lower than ours: it answers 413 and the exporter splits until parts fit.
case_split() {
  start_server --max-body 60000
  BATCH=2000 run_case split secret "$n" 0 "compression: none"
  check_all split "$n" 0 >/dev/null
  expect_counter li_splits_413 -ge 2
  [ "$(summary max_body)" -le 60000 ] || fail "accepted body over the limit"
  stop_server
}

# Tokens that expire during a long run: told 4 s (renewed at 2 s) and, separately, told an hour
# but refused after 1.5 s (the 401 path). Records flow at 1500/s for 6 s; none lost, none doubled.
case_expiry() {
  start_server --token-lifetime 4 --token-valid 4
  IDLE=2 run_case expiry-renew secret 9000 1500 ""
  check_all expiry-renew 9000 0 >/dev/null
  expect_counter li_token_refreshes -ge 3
  [ "$(summary answers.401)" -eq 0 ] || fail "renewal before expiry still met 401"
  stop_server
  start_server --token-lifetime 3600 --token-valid 1.5
  IDLE=2 run_case expiry-401 secret 9000 1500 ""
  check_all expiry-401 9000 0 >/dev/null
  expect_counter li_token_refreshes -ge 3
  [ "$(summary answers.401)" -ge 2 ] || fail "the server never refused an expired token (test proves nothing)"
  stop_server
}

# The secret never shows in --check output, logs or the metrics/status counters.
case_secret_hidden() {
  LI_TEST_SECRET="$secret" "$build/exporter/asimdns-exporter" --check -c "$work/exporter.yaml" >"$work/check.out" 2>&1 || true
  if grep -rqF -- "$secret" "$work"/*.log "$work/check.out"; then fail "the client secret leaked"; fi
  "$build/cli/asimdns" status --ring "$ring" --json >"$work/status.json" 2>/dev/null || true
  if grep -qF -- "$secret" "$work/status.json"; then fail "the client secret leaked into status"; fi
}

cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(secret secret_env_cert managed_identity faults bounded rejects split expiry secret_hidden)
for c in "${cases[@]}"; do
  echo "case $c" >&2
  "case_$c"
done
echo "1 passed, 0 failed: logs_ingestion cases: ${cases[*]}"
