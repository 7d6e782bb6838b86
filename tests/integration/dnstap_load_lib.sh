# shellcheck shell=bash disable=SC2317  # (helpers run through dl_wait_for)
# Shared by tests/integration/dnstap_load.sh and bench/dnstap.sh (sourced, not run):
#
#   dnsperf -> Unbound (127.0.0.1, free port, auth-zone load.test, dnstap CLIENT_QUERY and
#   CLIENT_RESPONSE) -> asimdns-capture (dnstap) -> ring -> asimdns-exporter (nng req) ->
#   `asimdns sink` (asim-json into a FIFO) -> awk, which counts what was delivered.
#
# Every process started is remembered in dl_pids and stopped by pid on exit; the ring and the
# temp dir are removed. The caller sets dl_build (the build dir) and dl_tag (a name part) and
# calls dl_setup first. Needs unbound, unbound-control, dnsperf, python3 (scripts/deps
# --dns-servers); dl_tools_missing lists what is not there.

# unbound_auth_zone comes from tests/lib/testlib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

dl_pids=()
dl_zone=load.test

dl_tools_missing() {
  local t missing=()
  for t in unbound unbound-control unbound-checkconf dnsperf python3; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  echo "${missing[*]}"
}

dl_setup() {
  dl_cli=$dl_build/cli/asimdns
  local b
  for b in "$dl_build/capture/asimdns-capture" "$dl_build/exporter/asimdns-exporter" "$dl_cli"; do
    [ -x "$b" ] || { echo "missing $b (build first)" >&2; exit 1; }
  done
  dl_work=$(mktemp -d "/tmp/asimdns-$dl_tag.XXXXXX")
  # Unbound, once it dropped root, must reach the socket and read the zone in here.
  chmod 755 "$dl_work"
  dl_ring="$dl_tag-$$-$RANDOM"
  trap dl_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

dl_cleanup() {
  local p
  for p in "${dl_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${dl_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  "$dl_cli" remove-ring --ring "$dl_ring" >/dev/null 2>&1 || true
  rm -rf "$dl_work"
}

dl_fail() {
  echo "FAIL: $*" >&2
  local f
  for f in "$dl_work"/*.log; do
    [ -f "$f" ] && { echo "--- $(basename "$f") (last 30 lines)" >&2; tail -n 30 "$f" >&2; }
  done
  exit 1
}

dl_alive() { kill -0 "$1" 2>/dev/null; }

# dl_wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 20 ms until it succeeds;
# the deadline only turns a hang into a failure.
dl_wait_for() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || dl_fail "timed out after ${limit}s waiting for $what"
    sleep 0.02
  done
}

dl_status() { "$dl_cli" status --ring "$dl_ring" --json 2>/dev/null || true; }
# dl_field NAME JSON: a counter from `asimdns status --json` output (0 when absent).
dl_field() {
  local v
  v=$(grep -o "\"$1\":[0-9]*" <<<"$2" | tail -n 1 | cut -d: -f2)
  echo "${v:-0}"
}

# A UDP+TCP port on 127.0.0.1 free right now (Unbound's start is retried if it is taken since).
dl_free_port() {
  python3 - <<'PY'
import random, socket
for _ in range(100):
    p = random.randint(20000, 59999)
    try:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            s.bind(("127.0.0.1", p))
            s.close()
    except OSError:
        continue
    print(p)
    break
PY
}

# The zone (HOSTS names with A, every 4th with AAAA too, MX, TXT) and dnsperf's query file:
# existing names (A, AAAA, MX, TXT), NODATA (the name exists, the type not) and NXDOMAIN, in a
# fixed pseudo-random order; dnsperf loops over the file.
dl_write_zone_and_queries() {
  local hosts=${1:-1000}
  python3 - "$dl_work" "$dl_zone" "$hosts" <<'PY'
import random, sys
work, zone, hosts = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(f"{work}/{zone}.zone", "w") as z:
    z.write(f"$ORIGIN {zone}.\n$TTL 300\n")
    z.write("@ IN SOA ns1 hostmaster 2026112601 3600 600 86400 300\n@ IN NS ns1\n")
    z.write("@ IN MX 10 mail\n@ IN TXT \"load test\"\nns1 IN A 127.0.0.1\nmail IN A 192.0.2.25\n")
    for i in range(hosts):
        z.write(f"h{i} IN A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n")
        if i % 4 == 0:
            z.write(f"h{i} IN AAAA 2001:db8::{i:x}\n")
        if i % 10 == 0:
            z.write(f"h{i} IN TXT \"host {i}\"\n")
rnd = random.Random(6)
with open(f"{work}/queries.txt", "w") as q:
    for _ in range(20000):
        i, r = rnd.randrange(hosts), rnd.random()
        if r < 0.50:   q.write(f"h{i}.{zone} A\n")
        elif r < 0.60: q.write(f"h{i - i % 4}.{zone} AAAA\n")
        elif r < 0.65: q.write(f"{zone} MX\n")
        elif r < 0.70: q.write(f"h{i - i % 10}.{zone} TXT\n")
        elif r < 0.80: q.write(f"h{i}.{zone} MX\n")                  # NODATA
        else:          q.write(f"nx{rnd.randrange(10**6)}.{zone} A\n")  # NXDOMAIN
PY
  chmod 644 "$dl_work/$dl_zone.zone" "$dl_work/queries.txt"
}

dl_write_unbound_conf() { # PORT
  local user=""
  # As root Unbound drops to its own user; otherwise it keeps the caller's.
  [ "$(id -u)" -eq 0 ] && user=unbound
  cat >"$dl_work/unbound.conf" <<CONF
server:
    verbosity: 1
    interface: 127.0.0.1@$1
    port: $1
    do-ip6: no
    do-daemonize: no
    use-syslog: no
    logfile: ""
    username: "$user"
    chroot: ""
    directory: "$dl_work"
    pidfile: ""
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    # Offline: no recursion, no DNSSEC validation.
    module-config: "iterator"
    do-not-query-localhost: yes
    # test. is a built-in RFC 6761 local zone (always NXDOMAIN) that would shadow the
    # auth-zone below.
    local-zone: "test." nodefault
    # The answer counts by RCODE cross-check what the pipeline delivered.
    extended-statistics: yes
    statistics-cumulative: yes
$(unbound_auth_zone "$dl_zone" "$dl_work/$dl_zone.zone")
dnstap:
    dnstap-enable: yes
    dnstap-socket-path: "$dl_work/dnstap.sock"
    dnstap-send-identity: yes
    dnstap-send-version: yes
    dnstap-log-client-query-messages: yes
    dnstap-log-client-response-messages: yes
remote-control:
    # A Unix control socket in the temp dir: unbound-control stats_noreset without
    # certificates or a TCP port.
    control-enable: yes
    control-interface: "$dl_work/control.sock"
    control-use-cert: no
CONF
}

# dl_write_capture_yaml RING_SIZE: capture's configuration, the dnstap source on
# $dl_work/dnstap.sock writing into ring $dl_ring.
dl_write_capture_yaml() {
  local group=""
  # Unbound connects as user unbound when run as root (facts §1.5: connecting needs write
  # permission on the socket file): the socket goes to its group, mode 0660.
  [ "$(id -u)" -eq 0 ] && group="socket_group: unbound"
  cat >"$dl_work/capture.yaml" <<YAML
source:
  type: dnstap
  dnstap:
    socket_path: $dl_work/dnstap.sock
    socket_mode: "0660"
    $group
ring: {name: $dl_ring, size: $1}
log: {level: info}
YAML
}

# Starts sink (+ the awk counter behind a FIFO), capture and exporter; waits for the socket.
# DL_EXPORTER_EXTRA: more exporter.yaml lines (e.g. an aggregate: section).
dl_start_pipeline() {
  local ring_size=${1:-256MiB}
  mkfifo "$dl_work/sink.fifo"
  # awk counts requests, responses, distinct record ids (duplicates would be redeliveries),
  # NXDOMAIN responses and the highest sequence, and writes them when the sink closes the FIFO.
  awk '
    { n++
      if (match($0, /"EventSubType":"[a-z]*"/)) st = substr($0, RSTART + 16, RLENGTH - 17); else st = ""
      if (st == "request") req++; else if (st == "response") resp++; else other++
      if (index($0, "\"EventResultDetails\":\"NXDOMAIN\"")) nx++
      if (match($0, /"EventCount":[0-9]+/)) events += substr($0, RSTART + 13, RLENGTH - 13); else events++
      if (match($0, /"asimdns.record_id":"[0-9a-f]*-[0-9]*"/)) {
        id = substr($0, RSTART + 20, RLENGTH - 21)
        if (id in seen) dup++; else { seen[id] = 1; uniq++ }
        seq = substr(id, index(id, "-") + 1) + 0
        if (seq > maxseq) maxseq = seq
      } else noid++ }
    END { printf "lines=%d requests=%d responses=%d other=%d nxdomain=%d unique_ids=%d duplicates=%d no_id=%d max_seq=%d events=%d\n",
                 n, req, resp, other, nx, uniq, dup, noid, maxseq, events }' \
    <"$dl_work/sink.fifo" >"$dl_work/delivered.txt" &
  dl_awk_pid=$!
  dl_pids+=("$dl_awk_pid")
  "$dl_cli" sink --listen "ipc://$dl_work/sink.ipc" --format asim-json --out "$dl_work/sink.fifo" \
    2>"$dl_work/sink.log" &
  dl_sink_pid=$!
  dl_pids+=("$dl_sink_pid")
  _dl_sink_up() { dl_alive "$dl_sink_pid" || dl_fail "asimdns sink exited"; [ -S "$dl_work/sink.ipc" ]; }
  dl_wait_for 20 "the sink to listen" _dl_sink_up

  dl_write_capture_yaml "$ring_size"
  cat >"$dl_work/exporter.yaml" <<YAML
ring: {name: $dl_ring}
exporter: {type: nng}
nng: {url: "ipc://$dl_work/sink.ipc", mode: req, timeout: 30s}
batch: {max_records: 4096, max_age: 100ms}
host_name: dns01.$dl_zone
log: {level: info}
${DL_EXPORTER_EXTRA:-}
YAML
  "$dl_build/capture/asimdns-capture" -c "$dl_work/capture.yaml" 2>"$dl_work/capture.log" &
  dl_capture_pid=$!
  dl_pids+=("$dl_capture_pid")
  _dl_socket() { dl_alive "$dl_capture_pid" || dl_fail "asimdns-capture exited"; [ -S "$dl_work/dnstap.sock" ]; }
  dl_wait_for 20 "the dnstap socket" _dl_socket
  # The exporter refuses to run as root without --allow-root; here it runs as the caller.
  "$dl_build/exporter/asimdns-exporter" -c "$dl_work/exporter.yaml" --allow-root 2>"$dl_work/exporter.log" &
  dl_exporter_pid=$!
  dl_pids+=("$dl_exporter_pid")
}

# Starts Unbound on a free port (dl_port) and waits until it serves and its dnstap thread is
# connected to capture, so no query is sent before the whole path exists.
dl_start_unbound() {
  dl_unbound_pid=""
  for _ in 1 2 3; do
    dl_port=$(dl_free_port)
    [ -n "$dl_port" ] || dl_fail "no free port on 127.0.0.1"
    dl_write_unbound_conf "$dl_port"
    unbound-checkconf "$dl_work/unbound.conf" >/dev/null || dl_fail "unbound-checkconf rejected the configuration"
    unbound -d -c "$dl_work/unbound.conf" >"$dl_work/unbound.log" 2>&1 &
    dl_unbound_pid=$!
    dl_pids+=("$dl_unbound_pid")
    _dl_unbound_up() { grep -qs 'start of service' "$dl_work/unbound.log" || ! dl_alive "$dl_unbound_pid"; }
    dl_wait_for 30 "Unbound to start" _dl_unbound_up
    dl_alive "$dl_unbound_pid" && break
    wait "$dl_unbound_pid" 2>/dev/null || true
    dl_unbound_pid=""
  done
  [ -n "$dl_unbound_pid" ] || dl_fail "Unbound did not start"
  _dl_connected() {
    dl_alive "$dl_capture_pid" || dl_fail "asimdns-capture exited"
    grep -q 'dnstap writer #[0-9]* connected' "$dl_work/capture.log"
  }
  dl_wait_for 30 "Unbound to connect to the dnstap socket" _dl_connected
}

# dl_dnsperf SECONDS [MAX_QPS]: runs dnsperf against Unbound; sets dl_sent, dl_completed,
# dl_lost, dl_qps (dnsperf's own "Queries per second").
dl_dnsperf() {
  local secs=$1 qps=${2:-}
  dnsperf -s 127.0.0.1 -p "$dl_port" -d "$dl_work/queries.txt" -l "$secs" -c 4 -q 200 -t 5 \
    ${qps:+-Q "$qps"} >"$dl_work/dnsperf.log" 2>&1 || dl_fail "dnsperf failed"
  dl_sent=$(awk '/Queries sent:/ { print $3 }' "$dl_work/dnsperf.log")
  dl_completed=$(awk '/Queries completed:/ { print $3 }' "$dl_work/dnsperf.log")
  dl_lost=$(awk '/Queries lost:/ { print $3 }' "$dl_work/dnsperf.log")
  dl_qps=$(awk '/Queries per second:/ { print $4 }' "$dl_work/dnsperf.log")
  [ -n "$dl_sent" ] && [ -n "$dl_completed" ] || dl_fail "cannot read dnsperf's summary"
}

# Unbound's own counters (before it stops): dl_ub_queries (total.num.queries) and
# dl_ub_answers (sum of num.answer.rcode.*, the responses it sent), dl_ub_nxdomain.
dl_unbound_stats() {
  unbound-control -c "$dl_work/unbound.conf" stats_noreset >"$dl_work/unbound-stats.txt" 2>&1 \
    || dl_fail "unbound-control stats_noreset: $(cat "$dl_work/unbound-stats.txt")"
  dl_ub_queries=$(awk -F= '$1 == "total.num.queries" { print $2 }' "$dl_work/unbound-stats.txt")
  dl_ub_answers=$(awk -F= '$1 ~ /^num\.answer\.rcode\./ && $1 != "num.answer.rcode.nodata" { s += $2 } END { print s + 0 }' \
    "$dl_work/unbound-stats.txt")
  dl_ub_nxdomain=$(awk -F= '$1 == "num.answer.rcode.NXDOMAIN" { print $2 }' "$dl_work/unbound-stats.txt")
  [ -n "$dl_ub_queries" ] || dl_fail "no total.num.queries in unbound-control's stats"
}

# Stops Unbound, then waits until capture has seen its dnstap stream end and the exporter has
# had everything capture wrote acknowledged (with aggregate: taken into rows; stopping the
# exporter then sends the rows still open).
# Unbound 1.17 keeps up to 32 dnstap messages per worker queued for up to 1 s (a wake-up timer,
# dnstap/dtstream.c) and discards what is still queued when it stops. So it is stopped only once
# capture has read a query and a response frame for every query Unbound counted (polled; the
# deadline turns a real loss into a failure).
dl_stop_unbound_and_drain() {
  local want=$((2 * dl_ub_queries))
  _dl_frames_in() {
    dl_alive "$dl_capture_pid" || dl_fail "asimdns-capture exited"
    [ "$(dl_field dnstap_frames "$(dl_status)")" -ge "$want" ]
  }
  if [ "${DL_SETTLE:-0}" = 1 ]; then
    # bench: Unbound may have dropped messages itself (its queue is 1 MiB per worker and drops
    # silently when full); stop waiting once the frame count has not moved for 3 s (3 x its
    # wake-up timer) and let the caller report the difference.
    local last=-1 now since=$SECONDS
    while ! _dl_frames_in; do
      now=$(dl_field dnstap_frames "$(dl_status)")
      [ "$now" = "$last" ] || { last=$now; since=$SECONDS; }
      [ $((SECONDS - since)) -lt 3 ] || break
      sleep 0.05
    done
  else
    dl_wait_for 30 "capture to read $want dnstap frames (Unbound counted $dl_ub_queries queries)" _dl_frames_in
  fi
  kill -TERM "$dl_unbound_pid"
  _dl_unbound_gone() { ! dl_alive "$dl_unbound_pid"; }
  dl_wait_for 60 "Unbound to stop" _dl_unbound_gone
  wait "$dl_unbound_pid" 2>/dev/null || true
  _dl_writer_gone() {
    dl_alive "$dl_capture_pid" || dl_fail "asimdns-capture exited"
    grep -Eq 'dnstap writer #[0-9]+ (finished|disconnected)' "$dl_work/capture.log"
  }
  dl_wait_for 60 "capture to see Unbound's dnstap stream end" _dl_writer_gone
  _dl_drained() {
    dl_alive "$dl_exporter_pid" || dl_fail "asimdns-exporter exited"
    local j
    j=$(dl_status)
    local w
    w=$(dl_field records_written "$j")
    [ "$w" -gt 0 ] && { [ "$(dl_field records_exported "$j")" -ge "$w" ] ||
      [ "$(dl_field aggregate_records_in "$j")" -ge "$w" ]; }
  }
  dl_wait_for 300 "the exporter to deliver everything capture wrote" _dl_drained
  dl_t_drained=$(date +%s.%N)
}

# Reads the final counters (dl_json) and stops exporter, sink (then the awk counter has its
# totals in dl_delivered) and capture.
dl_stop_pipeline() {
  dl_json=$(dl_status)
  local p
  for p in "$dl_exporter_pid" "$dl_sink_pid" "$dl_capture_pid"; do
    kill -TERM "$p" 2>/dev/null || true
    _dl_gone() { ! dl_alive "$p"; }
    dl_wait_for 30 "pid $p to stop" _dl_gone
    wait "$p" 2>/dev/null || true
  done
  _dl_awk_done() { ! dl_alive "$dl_awk_pid"; }
  dl_wait_for 60 "the delivery counter" _dl_awk_done
  wait "$dl_awk_pid" || dl_fail "the delivery counter failed"
  dl_delivered=$(cat "$dl_work/delivered.txt")
}

# dl_delivered_field NAME: one value of the awk counter's summary line.
dl_delivered_field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$dl_delivered"; }

# The capture and exporter counters that must stay zero for a lossless run.
dl_loss_counters="dropped_ring_full dropped_too_large decode_errors unsupported_events dnstap_bad_frames
  dnstap_writers_dropped cursor_invalid cursor_faults records_rejected records_corrupt resyncs
  sequence_gaps records_lost_corrupt bytes_skipped_corrupt batches_failed"
