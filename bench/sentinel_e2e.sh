#!/usr/bin/env bash
# bench/sentinel_e2e.sh: end-to-end records/s of exporter.type logs_ingestion with real
# processes and TLS on loopback:
#
#   asimdns-capture (synthetic, rate 0) -> ring -> asimdns-exporter -> tests/integration/
#   sentinel_server.py (token endpoint + Logs Ingestion API, --fast: JSON parsed, ids kept,
#   per-column checks off)
#
# Seconds = from starting the exporter (the ring is already full) to `asimdns status --json`
# showing records_exported == RECORDS (polled every 50 ms). A run counts only when every record
# id arrived. The Python server is single-threaded for one connection and is usually the
# bottleneck: the figure is a floor for the exporter, whose own CPU time is printed too.
#
# usage: bench/sentinel_e2e.sh [BUILD_DIR=build] [RECORDS=200000] [gzip|none]
source "$(dirname "$0")/../scripts/lib/strict.sh"
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=$(cd "${1:-$root/build}" && pwd)
records=${2:-200000}
compression=${3:-gzip}
source "$root/tests/lib/testlib.sh"
tl_start "$build"
ring="bench-li-$$"
tl_rings+=("$ring")
cli=$build/cli/asimdns

make_tls_cert "$work" server localhost "DNS:localhost,IP:127.0.0.1"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout "$work/app.key" -out "$work/app.pem" \
  -subj /CN=bench 2>/dev/null || fail "openssl"
echo "bench-secret" >"$work/secret"
mkdir -p "$work/arc"
python3 "$root/tests/integration/sentinel_server.py" --fast --cert "$work/server.pem" \
  --key "$work/server.key" --client-cert "$work/app.pem" --secret-file "$work/secret" \
  --columns "$root/tests/integration/asim_dns_columns.txt" \
  --dcr-template "$root/deploy/sentinel/dcr.json" --arc-dir "$work/arc" \
  --dcr dcr-0000000000000000000000000000beef --port-file "$work/port" --ids "$work/ids" \
  --summary "$work/summary.json" --log "$work/server.log" 2>"$work/server-err.log" &
pids+=("$!")
wait_until 10 test -s "$work/port" || fail "server did not start"
read -r port _ <"$work/port"

write_synthetic_capture "$work/capture.yaml" "$ring" 512MiB 7 0 "$records"
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" || fail "capture"
cat >"$work/exporter.yaml" <<YAML
ring: {name: $ring}
exporter: {type: logs_ingestion}
logs_ingestion:
  endpoint: "https://127.0.0.1:$port"
  dcr_immutable_id: dcr-0000000000000000000000000000beef
  compression: $compression
  tls: {ca_file: "$work/server.pem", server_name: localhost}
  auth: {tenant_id: test-tenant, client_id: 11111111-2222-3333-4444-555555555555, client_secret_file: "$work/secret", authority_host: "https://127.0.0.1:$port"}
batch: {max_records: 8192, max_age: 200ms}
YAML
t0=$(date +%s.%N)
"$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root 2>"$work/exporter.log" &
exp=$!
pids+=("$exp")
done_all() { [ "$(status_counter "$ring" records_exported)" = "$records" ]; }
until done_all; do
  alive "$exp" || fail "exporter stopped"
  [ "$(status_counter "$ring" records_rejected)" = 0 ] || fail "the server rejected records"
  sleep 0.05
done
t1=$(date +%s.%N)
read -r utime stime < <(awk '{print $14, $15}' "/proc/$exp/stat")
hz=$(getconf CLK_TCK)
kill -TERM "$exp"
wait "$exp" || true
got=$(sed 's/.*-//' "$work/ids" | sort -un | wc -l)
[ "$got" -eq "$records" ] || fail "only $got of $records record ids arrived"
python3 - "$records" "$t0" "$t1" "$utime" "$stime" "$hz" "$work/summary.json" "$compression" <<'PY'
import json, sys
n, t0, t1, ut, st, hz, summ, comp = sys.argv[1:]
n = int(n); secs = float(t1) - float(t0); cpu = (int(ut) + int(st)) / int(hz)
s = json.load(open(summ))
print("bench/sentinel_e2e: %d records, compression %s, TLS on loopback" % (n, comp))
print("| records/s end to end | seconds | requests | max body B | exporter CPU s | exporter rec/CPU-s |")
print("|---|---|---|---|---|---|")
print("| %.0f | %.2f | %d | %d | %.2f | %.0f |" % (n / secs, secs, s["ingest_requests"],
      s["max_body"], cpu, n / cpu if cpu else 0))
PY
