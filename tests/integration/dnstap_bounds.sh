#!/usr/bin/env bash
# Integration (root): the dnstap socket stays open to the DNS server whatever other writers do.
# asimdns-capture serves its dnstap socket with the default limits (64 writers, 16 per user,
# 5 s handshake, 8 bad frames); the writers are processes of tests/integration/dnstap_writer.py.
#   1. 64 connections from one user (root) that never send a byte: a writer of another user
#      (nobody, in the socket's group) completes its handshake and delivers at once; a writer
#      of the same user as the silent ones gets through once their handshake time ran out
#      (5 s), well before the silent process gives up; the silent ones are all closed.
#   2. A writer sending frames that are not dnstap is disconnected after 8 of them while
#      another writer keeps delivering.
#   3. Every refusal and disconnection is counted by reason, in `asimdns status --json` and in
#      the exporter's /metrics, and the reasons add up to dnstap_writers_dropped.
# Usage: dnstap_bounds.sh BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
source "$(dirname "$0")/monitoring_lib.sh"
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root (writers of two users)"
  exit 77
fi
command -v setpriv >/dev/null || { echo "SKIP: setpriv missing"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 missing"; exit 77; }
writer=$(dirname "$0")/dnstap_writer.py
# nobody reaches the socket through its group; the directories must be searchable.
chmod 0755 "$work"
mkdir "$work/run"
chmod 0755 "$work/run"
sock=$work/run/dnstap.sock
cp "$writer" "$work/run/writer.py"
chmod 0644 "$work/run/writer.py"
writer=$work/run/writer.py
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }

cat >"$work/capture.yaml" <<YAML
source:
  type: dnstap
  dnstap: {socket_path: "$sock", socket_group: nogroup, socket_mode: "0660"}
ring: {name: $ring, size: 1MiB}
heartbeat_seconds: 1
log: {level: info}
YAML
start_capture capture.log
wait_until 20 test -S "$sock" || fail "no dnstap socket"

mport=$(free_port)
cat >"$work/exporter.yaml" <<YAML
ring: {name: $ring}
exporter: {type: console}
metrics: {listen: "127.0.0.1:$mport"}
YAML
"$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" "${exp_flags[@]}" \
  >"$work/exported.jsonl" 2>>"$work/exporter.log" &
exp_pid=$!
pids+=("$exp_pid")

# 1. The silent connections (held 25 s unless the capture closes them first).
/usr/bin/python3 "$writer" "$sock" silent 64 25 >"$work/silent.out" 2>&1 &
silent_pid=$!
pids+=("$silent_pid")
wait_until 10 grep -q "^connected 64" "$work/silent.out" || fail "silent writer: $(cat "$work/silent.out")"
sleep 0.5 # the capture has accepted (or refused) them all
out=$(as_nobody /usr/bin/python3 "$writer" "$sock" legit 3 10) || fail "writer of another user: $out"
read -r _ t_other _ <<<"$out"
echo "  another user's writer with 64 silent connections open: $out" >&2
awk -v t="$t_other" 'BEGIN { exit !(t < 2) }' || fail "another user's writer needed $t_other s"
out=$(/usr/bin/python3 "$writer" "$sock" legit 3 15) || fail "writer of the silent user: $out"
read -r _ t_same _ <<<"$out"
echo "  the silent user's own writer: $out" >&2
awk -v t="$t_same" 'BEGIN { exit !(t < 8) }' || fail "the silent user's writer needed $t_same s"
wait_exit "$silent_pid" 30 "silent writer"
grep -q "^closed-by-server 64$" "$work/silent.out" || fail "silent writer: $(cat "$work/silent.out")"

# 2. Garbage frames, while a good writer is connected before and delivers after.
out=$(/usr/bin/python3 "$writer" "$sock" garbage 8 5) || fail "garbage writer: $out"
echo "  garbage writer: $out" >&2
out=$(as_nobody /usr/bin/python3 "$writer" "$sock" legit 2 5) || fail "writer after the garbage: $out"

# 3. Counters: status, then /metrics.
cap() { status_counter "$ring" "$1" capture; }
wait_until 10 test "$(cap dnstap_frames)" = 16 || fail "dnstap_frames $(cap dnstap_frames), expected 16"
wait_until 10 test "$(cap records_written)" = 8 || fail "records_written $(cap records_written), expected 8"
[ "$(cap dnstap_bad_frames)" = 8 ] || fail "dnstap_bad_frames $(cap dnstap_bad_frames)"
[ "$(cap dnstap_bad_frame_disconnects)" = 1 ] || fail "dnstap_bad_frame_disconnects $(cap dnstap_bad_frame_disconnects)"
[ "$(cap dnstap_user_limit_refusals)" -ge 48 ] || fail "dnstap_user_limit_refusals $(cap dnstap_user_limit_refusals)"
[ "$(cap dnstap_handshake_timeouts)" = 16 ] || fail "dnstap_handshake_timeouts $(cap dnstap_handshake_timeouts)"
sum=0
for c in dnstap_handshake_timeouts dnstap_idle_timeouts dnstap_user_limit_refusals \
  dnstap_writer_limit_refusals dnstap_bad_frame_disconnects dnstap_protocol_errors; do
  sum=$((sum + $(cap "$c")))
done
[ "$(cap dnstap_writers_dropped)" = "$sum" ] || fail "dnstap_writers_dropped $(cap dnstap_writers_dropped) != sum of reasons $sum"
wait_until 20 test "$(counter records_exported)" = 8 || fail "exported $(counter records_exported), expected 8"
scrape "$mport" "$work/metrics.txt"
for c in dnstap_bad_frame_disconnects dnstap_handshake_timeouts dnstap_user_limit_refusals dnstap_writers_dropped; do
  [ "$(metric "$work/metrics.txt" "asimdns_${c}_total" component=capture)" = "$(cap "$c")" ] ||
    fail "/metrics asimdns_${c}_total differs from status"
done
kill -TERM "$cap_pid"
wait_exit "$cap_pid" 5 capture || fail "the capture failed"
echo "1 passed, 0 failed: other user's writer in ${t_other} s, same user's in ${t_same} s, $(cap dnstap_writers_dropped) connections dropped by reason"
