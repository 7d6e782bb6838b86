#!/usr/bin/env bash
# Integration with a real DNS server: Unbound, BIND (named) or Knot Resolver (kresd) writes
# dnstap to asimdns-capture's Unix socket; asimdns-exporter delivers the records over nng to
# `asimdns sink`, which writes ASIM JSON lines. The server answers a small local zone on
# 127.0.0.1 only (no internet). dig sends A, AAAA, MX, TXT, an NXDOMAIN, a NODATA and a TCP
# query; every one must come back as a request and a response record with the right name,
# type, result, client and server endpoints, transport, transaction id, vendor/product and a
# response time (DnsNetworkDuration: none of the three servers puts the query time in its
# responses, so that checks the capture's query/response pairing).
#
# The capture runs as root only until its socket is set up: it gives the socket to the
# server's user (socket_owner, mode 0600) and then drops to nobody (privileges.user).
#
# Usage: dnstap_live.sh BUILD_DIR unbound|bind|kresd BASE_PORT
#   The server gets a port P picked at random from BASE_PORT + 10k (below the ephemeral range);
#   the UDP queries use the fixed client ports P+1..P+6 so that the records' SrcPortNumber can
#   be checked exactly. Random and checked free, because several build trees may run this test
#   at the same time, and all three servers bind with SO_REUSEPORT: a second server on the same
#   port would not fail, it would silently take part of the other one's queries.
# Exit 77 (skipped) when not root or the server is not installed (scripts/deps --dns-servers).
set -euo pipefail
source "$(dirname "$0")/../lib/testlib.sh"
build=${1:?usage: $0 BUILD_DIR unbound|bind|kresd BASE_PORT}
server=${2:?usage: $0 BUILD_DIR unbound|bind|kresd BASE_PORT}
base_port=${3:?usage: $0 BUILD_DIR unbound|bind|kresd BASE_PORT}

case $server in
unbound) bin=unbound user=unbound vendor="NLnet Labs" product=Unbound ;;
bind) bin=named user=bind vendor=ISC product=BIND ;;
kresd) bin=kresd user=knot-resolver vendor=CZ.NIC product="Knot Resolver" ;;
*)
  echo "unknown server '$server'" >&2
  exit 2
  ;;
esac
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root (the server and the capture switch users)"
  exit 77
fi
for tool in "$bin" dig python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (scripts/deps --dns-servers)"
    exit 77
  fi
done

# The work dir, the cleanup (pids[], then the ring), fail, wait_until, alive and stopped come
# from tests/lib/testlib.sh. The server is stopped first.
tl_start "$build"
# The server's user must reach the socket and read the zone: the directories are searchable.
chmod 0755 "$work"
ring="it-tap-$server-$$"
tl_rings+=("$ring")
zone=dnstap-it.example
server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap 'stop_server; tl_cleanup' EXIT
TL_FAIL_TAG=$server

# A port P with P (TCP and UDP) and P+1..P+6 (UDP) free: bound without SO_REUSEPORT, so a
# port held by any socket, a reuseport one included, counts as taken.
pick_port() {
  python3 - "$base_port" <<'PY'
import random, socket, sys
base = int(sys.argv[1])
for _ in range(100):
    p = base + 10 * random.randrange(300)
    wanted = [(p, socket.SOCK_STREAM)] + [(p + i, socket.SOCK_DGRAM) for i in range(7)]
    socks = []
    try:
        for port, kind in wanted:
            socks.append(socket.socket(socket.AF_INET, kind))
            socks[-1].bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(p)
    sys.exit(0)
sys.exit(1)
PY
}
port=$(pick_port) || fail "no free port block above $base_port"

# ---- the zone: the same data for every server --------------------------------------------------
cat >"$work/zone.db" <<EOF
\$ORIGIN $zone.
\$TTL 300
@       IN SOA  ns1.$zone. hostmaster.$zone. ( 1 3600 600 86400 300 )
@       IN NS   ns1.$zone.
ns1     IN A    127.0.0.1
@       IN MX   10 mail.$zone.
www     IN A    192.0.2.10
www     IN AAAA 2001:db8::10
tcp     IN A    192.0.2.11
mail    IN A    192.0.2.25
txt     IN TXT  "hello dnstap"
EOF
chmod 0644 "$work/zone.db"

# ---- capture -> ring -> exporter -> sink ----------------------------------------------------------
mkdir "$work/run"
chmod 0755 "$work/run"
sock="$work/run/dnstap.sock"
cat >"$work/capture.yaml" <<YAML
source:
  type: dnstap
  dnstap: {socket_path: "$sock", socket_owner: $user, socket_mode: "0600", max_writers: 4}
ring: {name: $ring, size: 4MiB}
privileges: {user: nobody, group: nogroup}
log: {level: debug}
YAML
cat >"$work/exporter.yaml" <<YAML
ring: {name: $ring}
exporter: {type: nng}
nng: {url: "ipc://$work/sink.ipc", mode: req, timeout: 2s}
batch: {max_records: 100, max_age: 100ms}
retry: {initial_interval: 100ms, max_interval: 400ms, multiplier: 2, jitter: 0.5}
host_name: test-host.example.org
YAML
"$build/cli/asimdns" sink --listen "ipc://$work/sink.ipc" --format asim-json \
  --out "$work/out.jsonl" 2>"$work/sink.log" &
pids+=($!)
"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" &
cap_pid=$!
pids+=("$cap_pid")
sock_ready() { [ -S "$sock" ] && [ "$(stat -c %U "$sock")" = "$user" ]; }
wait_until 10 sock_ready || fail "the capture did not create $sock owned by $user"
wait_until 10 grep -q "running as user 'nobody'" "$work/capture.log" || fail "the capture did not drop to nobody"
[ "$(ps -o user= -p "$cap_pid" | tr -d ' ')" = nobody ] || fail "the capture does not run as nobody"
[ "$(stat -c '%a' "$sock")" = 600 ] || fail "socket mode $(stat -c '%a' "$sock"), expected 600"
"$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" --allow-root 2>"$work/exporter.log" &
pids+=($!)

# ---- the server ----------------------------------------------------------------------------------
case $server in
unbound)
  mkdir "$work/unbound"
  cat >"$work/unbound.conf" <<EOF
server:
    verbosity: 1
    interface: 127.0.0.1
    port: $port
    do-ip6: no
    num-threads: 1
    do-daemonize: no
    use-syslog: no
    logfile: ""
    username: "$user"
    chroot: ""
    directory: "$work/unbound"
    pidfile: ""
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: yes
$(unbound_auth_zone "$zone" "$work/zone.db")
dnstap:
    dnstap-enable: yes
    dnstap-bidirectional: yes
    dnstap-socket-path: "$sock"
    dnstap-send-identity: yes
    dnstap-send-version: yes
    dnstap-identity: "it-unbound"
    dnstap-log-client-query-messages: yes
    dnstap-log-client-response-messages: yes
remote-control:
    control-enable: no
EOF
  unbound-checkconf "$work/unbound.conf" >"$work/checkconf.log" 2>&1 || fail "unbound-checkconf"
  # unbound starts as root and switches to its user itself (username:).
  unbound -d -c "$work/unbound.conf" >"$work/server.log" 2>&1 &
  server_pid=$!
  ;;
bind)
  mkdir "$work/bind"
  chown "$user:" "$work/bind"
  # recursion no: BIND logs an incoming query as AUTH_QUERY unless it would recurse, so
  # `dnstap { client; }` alone gives only the responses (facts §1.7): log auth too.
  cat >"$work/named.conf" <<EOF
options {
    directory "$work/bind";
    managed-keys-directory "$work/bind";
    session-keyfile "$work/bind/session.key";
    pid-file none;
    listen-on port $port { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    dnssec-validation no;
    dnstap { client; auth; };
    dnstap-output unix "$sock";
    dnstap-identity "it-named";
};
controls { };
zone "$zone" { type primary; file "$work/zone.db"; };
EOF
  named-checkconf "$work/named.conf" >"$work/checkconf.log" 2>&1 || fail "named-checkconf"
  named -g -u "$user" -c "$work/named.conf" >"$work/server.log" 2>&1 &
  server_pid=$!
  ;;
kresd)
  mkdir "$work/kresd"
  chown "$user:" "$work/kresd"
  # kresd refuses the special-use TLDs (test., invalid., ...: policy.special_names), so the
  # zone is under example.; it is served as an RPZ of answers (owner names relative to the
  # RPZ's origin are the query names), and every other name in the zone is denied (NXDOMAIN). A name listed with other
  # types than the one asked gets NODATA. Root priming, trust-anchor updates and the time-skew
  # check would go to the internet: off.
  cat >"$work/zone.rpz" <<EOF
\$ORIGIN rpz.asimdns-it.
\$TTL 300
@                IN SOA  localhost. hostmaster.localhost. ( 1 3600 600 86400 300 )
$zone           IN MX   10 mail.$zone.
www.$zone       IN A    192.0.2.10
www.$zone       IN AAAA 2001:db8::10
tcp.$zone       IN A    192.0.2.11
mail.$zone      IN A    192.0.2.25
txt.$zone       IN TXT  "hello dnstap"
EOF
  chmod 0644 "$work/zone.rpz"
  cat >"$work/kresd.conf" <<EOF
net.listen('127.0.0.1', $port, { kind = 'dns' })
cache.open(10 * MB, 'lmdb://$work/kresd/cache')
modules.unload('priming')
modules.unload('detect_time_skew')
modules.unload('ta_update')
trust_anchors.remove('.')
policy.add(policy.rpz(policy.DENY, '$work/zone.rpz', false))
policy.add(policy.suffix(policy.DENY, { todname('$zone.') }))
-- dnstap needs the socket to exist when the module loads: the capture is started first.
modules = { dnstap = { socket_path = "$sock", identity = "it-kresd",
                       client = { log_queries = true, log_responses = true } } }
EOF
  # kresd does not switch users itself; setpriv execs it as the user (same pid).
  setpriv --reuid="$user" --regid="$user" --init-groups -- \
    kresd -n -c "$work/kresd.conf" "$work/kresd" </dev/null >"$work/server.log" 2>&1 &
  server_pid=$!
  ;;
esac

# Ready when it answers (the probe's records are ignored by the checks) and its dnstap writer
# is connected (else the first queries could miss the capture).
probe() {
  alive "$server_pid" || fail "$bin exited during start-up"
  dig @127.0.0.1 -p "$port" +time=1 +tries=1 "ready.$zone" SOA 2>/dev/null | grep -q 'status:'
}
wait_until 30 probe || fail "$bin does not answer on 127.0.0.1#$port"
wait_until 15 grep -q "dnstap writer #[0-9]* connected" "$work/capture.log" ||
  fail "$bin did not connect to the dnstap socket"

# ---- the queries ---------------------------------------------------------------------------------
# name type expected-rcode transport client-port expected-answer (- = none: NODATA/NXDOMAIN)
: >"$work/queries.tsv"
i=0
while read -r name type rcode proto answer; do
  i=$((i + 1))
  if [ "$proto" = tcp ]; then
    # A fixed source port over TCP could meet its own TIME_WAIT on a rerun: the kernel picks.
    cport=0
    out=$(dig @127.0.0.1 -p "$port" +time=3 +tries=1 +tcp "$name" "$type") || fail "dig $name $type +tcp"
  else
    cport=$((port + i))
    out=$(dig @127.0.0.1 -p "$port" -b "127.0.0.1#$cport" +time=3 +tries=1 "$name" "$type") ||
      fail "dig $name $type"
  fi
  echo "$out" >>"$work/dig.log"
  status=$(sed -n 's/.*status: \([A-Z]*\), id: \([0-9]*\).*/\1/p' <<<"$out")
  id=$(sed -n 's/.*status: \([A-Z]*\), id: \([0-9]*\).*/\2/p' <<<"$out")
  [ "$status" = "$rcode" ] || fail "$bin answered $name $type with '$status', expected $rcode"
  if [ "$answer" != - ]; then
    grep -v '^;' <<<"$out" | grep -qF -- "$answer" || fail "$bin's answer to $name $type lacks '$answer'"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$type" "$rcode" "$proto" "$cport" "$id" "$answer" \
    >>"$work/queries.tsv"
done <<EOF
www.$zone A NOERROR udp 192.0.2.10
www.$zone AAAA NOERROR udp 2001:db8::10
$zone MX NOERROR udp mail.$zone.
txt.$zone TXT NOERROR udp "hello dnstap"
nonexistent.$zone A NXDOMAIN udp -
www.$zone TXT NOERROR udp -
tcp.$zone A NOERROR tcp 192.0.2.11
EOF

# ---- the checks ----------------------------------------------------------------------------------
# check quiet|verbose: every query has its request and response record, each field right.
check() {
  python3 - "$1" "$work/out.jsonl" "$work/queries.tsv" "$port" "$vendor" "$product" <<'PY'
import json, sys

mode, out_path, queries_path, port, vendor, product = sys.argv[1:7]
port = int(port)
problems = []

records = {}
try:
    with open(out_path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except ValueError as e:
                problems.append(f"out.jsonl line {n} is not JSON: {e}")
                continue
            # At-least-once delivery may repeat a record: the record id tells.
            records[r.get("asimdns.record_id", f"line-{n}")] = r
except FileNotFoundError:
    pass

def want(what, rec, key, expected):
    got = rec.get(key, "<absent>")
    if got != expected:
        problems.append(f"{what}: {key} is {got!r}, expected {expected!r}")

queries = open(queries_path, encoding="utf-8").read().splitlines()
if len(queries) != 7:
    problems.append(f"{len(queries)} queries were sent, expected 7")
for line in queries:
    name, qtype, rcode, proto, cport, xid, answer = line.split("\t")
    cport, xid = int(cport), format(int(xid), "x")  # TransactionIdHex: lowercase, unpadded
    what = f"{name} {qtype} ({proto})"
    mine = [r for r in records.values()
            if r.get("DnsQuery") == name and r.get("DnsQueryTypeName") == qtype
            and r.get("TransactionIdHex") == xid]
    reqs = [r for r in mine if r.get("EventSubType") == "request"]
    resps = [r for r in mine if r.get("EventSubType") == "response"]
    if len(reqs) != 1 or len(resps) != 1:
        dotted = sum(1 for r in records.values() if r.get("DnsQuery") == name + ".")
        problems.append(f"{what} id {xid}: {len(reqs)} request and {len(resps)} response "
                        f"records, expected 1 and 1"
                        + (f" ({dotted} with a trailing dot in DnsQuery)" if dotted else ""))
        continue
    req, resp = reqs[0], resps[0]
    for kind, rec in (("request", req), ("response", resp)):
        w = f"{what} {kind}"
        want(w, rec, "EventVendor", vendor)
        want(w, rec, "EventProduct", product)
        want(w, rec, "EventType", "Query")
        want(w, rec, "EventSchema", "Dns")
        want(w, rec, "SrcIpAddr", "127.0.0.1")
        want(w, rec, "DstIpAddr", "127.0.0.1")
        want(w, rec, "DstPortNumber", port)
        want(w, rec, "NetworkProtocol", proto.upper())
        want(w, rec, "NetworkProtocolVersion", "IPv4")
        if not rec.get("EventProductVersion"):
            problems.append(f"{w}: no EventProductVersion (the dnstap version string)")
        if cport:
            want(w, rec, "SrcPortNumber", cport)
        else:
            sp = rec.get("SrcPortNumber")
            if not isinstance(sp, int) or sp <= 0 or sp == port:
                problems.append(f"{w}: SrcPortNumber {sp!r} is not a client port")
    if req.get("SrcPortNumber") != resp.get("SrcPortNumber"):
        problems.append(f"{what}: request from port {req.get('SrcPortNumber')}, response to "
                        f"{resp.get('SrcPortNumber')}")
    want(f"{what} request", req, "EventOriginalType", "256")
    want(f"{what} request", req, "EventResultDetails", "NA")
    want(f"{what} response", resp, "EventResultDetails", rcode)
    want(f"{what} response", resp, "DnsResponseCodeName", rcode)
    want(f"{what} response", resp, "EventOriginalType", "257" if rcode == "NOERROR" else "258")
    want(f"{what} response", resp, "EventResult", "Success" if rcode == "NOERROR" else "Failure")
    d = resp.get("DnsNetworkDuration")
    if not isinstance(d, int) or d < 0:
        problems.append(f"{what} response: DnsNetworkDuration {d!r} (no query/response pairing?)")
    if "DnsNetworkDuration" in req:
        problems.append(f"{what} request: has DnsNetworkDuration")
    if answer == "-":
        if resp.get("DnsResponseName"):
            problems.append(f"{what} response: DnsResponseName {resp['DnsResponseName']!r}, "
                            f"expected none")
    elif qtype in ("A", "AAAA") and answer not in resp.get("DnsResponseName", ""):
        problems.append(f"{what} response: DnsResponseName {resp.get('DnsResponseName')!r} "
                        f"lacks {answer}")
    for rec in (req, resp):
        if rec.get("DnsQuery", "").endswith("."):
            problems.append(f"{what}: DnsQuery keeps a trailing dot")

if problems:
    if mode == "verbose":
        print(f"{len(records)} records received; problems:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
    sys.exit(1)
PY
}

# Unbound sends its queued dnstap messages about once a second and drops what is still queued
# when it stops; BIND and kresd flush when they stop. So: wait a while with the server
# running, then stop it and wait again.
wait_until 10 check quiet || true
kill "$server_pid" 2>/dev/null || true
wait_until 20 stopped "$server_pid" || fail "$bin did not stop within 20 s of SIGTERM"
wait "$server_pid" 2>/dev/null || true
server_pid=
wait_until 20 check quiet || { check verbose || true; fail "records missing or wrong (above)"; }

# The capture's counters: every frame decoded, no pairing evictions, no writer dropped.
status=$("$build/cli/asimdns" status --ring "$ring" --json) || true
counter() { # the capture's running total (not its last-interval figure)
  python3 -c 'import json, sys; print(json.loads(sys.argv[1])["capture"]["counters"][sys.argv[2]])' \
    "$status" "$1" 2>/dev/null || echo "?"
}
[ "$(counter dnstap_frames)" -ge 14 ] || fail "dnstap_frames $(counter dnstap_frames), expected >= 14"
for c in dnstap_bad_frames dnstap_writers_dropped decode_errors dnstap_pair_evictions; do
  [ "$(counter $c)" = 0 ] || fail "$c is '$(counter $c)', expected 0"
done
alive "$cap_pid" || fail "the capture died"
# A clean stop (under ASan/UBSan also: no report, no leak).
kill -TERM "$cap_pid"
rc=0
wait "$cap_pid" || rc=$?
[ "$rc" -eq 0 ] || fail "the capture exited with $rc after SIGTERM"
echo "1 passed, 0 failed: $server: 7 queries (A, AAAA, MX, TXT, NXDOMAIN, NODATA, TCP) as" \
  "request and response records, $(wc -l <"$work/out.jsonl") records delivered"
