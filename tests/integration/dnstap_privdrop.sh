#!/usr/bin/env bash
# Integration (root): asimdns-capture with the dnstap source and privileges.user set. The
# socket is created and given to the configured owner and group while the capture is still
# root; only then does it drop privileges. Checked: the socket's owner, group and mode; the
# capture's real, effective, saved and filesystem ids and its supplementary groups are the
# unprivileged user's; a member of the socket's group completes the Frame Streams handshake
# with the unprivileged capture, a user outside it is refused by the kernel; SIGTERM stops
# the capture cleanly; a second start replaces the socket the first one (no longer root)
# could not remove. Test accounts are created if missing and removed at the end.
# Usage: dnstap_privdrop.sh BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/../lib/testlib.sh"
build=${1:?usage: $0 BUILD_DIR}
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root (creates users and switches to them)"
  exit 77
fi
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 missing"; exit 77; }

cap_user=adtap-cap   # the capture runs as this user after the drop
srv_user=adtap-srv   # plays the DNS server: owns the socket; its group may connect
other_user=adtap-oth # neither owner nor in the group
created=()
tl_start "$build"
chmod 0755 "$work"
ring="it-tap-priv-$$"
tl_rings+=("$ring")
cap_pid=

stop_capture() {
  if [ -n "$cap_pid" ]; then
    kill "$cap_pid" 2>/dev/null || true
    wait "$cap_pid" 2>/dev/null || true
  fi
}
remove_accounts() {
  for u in "${created[@]}"; do
    userdel "$u" >/dev/null 2>&1 || true
    groupdel "$u" >/dev/null 2>&1 || true # user groups outlive userdel when shared
  done
}
tl_exit_hooks+=(stop_capture remove_accounts)

fail() {
  echo "FAIL: $*" >&2
  [ -f "$work/capture.log" ] && { echo "--- capture.log" >&2; tail -n 30 "$work/capture.log" >&2; }
  exit 1
}

for u in "$cap_user" "$srv_user" "$other_user"; do
  if ! getent passwd "$u" >/dev/null; then
    useradd --system --user-group -M -s /usr/sbin/nologin "$u" || fail "useradd $u"
    created+=("$u")
  fi
done
cap_uid=$(id -u "$cap_user")
cap_gid=$(id -g "$cap_user")

# A root-owned directory, as /run would be: the capture can create the socket only as root.
mkdir "$work/run"
chmod 0755 "$work/run"
sock="$work/run/dnstap.sock"
cat >"$work/capture.yaml" <<YAML
source:
  type: dnstap
  dnstap: {socket_path: "$sock", socket_owner: $srv_user, socket_group: $srv_user, socket_mode: "0660"}
ring: {name: $ring, size: 1MiB}
privileges: {user: $cap_user, group: $cap_user}
log: {level: debug}
YAML

# python3 as USER: connects to the socket and runs the bidirectional Frame Streams handshake
# (READY -> ACCEPT), then STOP -> FINISH. Prints "ok" or the error.
handshake_as() {
  # /usr/bin/python3: a python3 found first on root's PATH may live where $1 cannot go.
  setpriv --reuid="$1" --regid="$1" --init-groups -- /usr/bin/python3 - "$sock" <<'PY'
import socket, struct, sys
CT = b"protobuf:dnstap.Dnstap"

def control(kind, with_type=True):
    body = struct.pack(">I", kind)
    if with_type:
        body += struct.pack(">II", 1, len(CT)) + CT
    return struct.pack(">II", 0, len(body)) + body

def read_control(s):
    head = b""
    while len(head) < 8:
        chunk = s.recv(8 - len(head))
        if not chunk:
            raise EOFError("closed")
        head += chunk
    escape, n = struct.unpack(">II", head)
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return escape, struct.unpack(">I", body[:4])[0]

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
try:
    s.connect(sys.argv[1])
    s.sendall(control(4))  # READY
    if read_control(s) != (0, 1):  # ACCEPT
        print("no ACCEPT")
        sys.exit(0)
    s.sendall(control(2) + control(3, False))  # START, STOP
    print("ok" if read_control(s) == (0, 5) else "no FINISH")  # FINISH
except OSError as e:
    print(type(e).__name__)
PY
}

start_capture() {
  "$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" &
  cap_pid=$!
  wait_until 20 grep -q "running as user '$cap_user'" "$work/capture.log" ||
    fail "the capture did not start and drop to $cap_user"
}

check_running_capture() {
  [ -S "$sock" ] || fail "no socket at $sock"
  local own
  own=$(stat -c '%U:%G %a' "$sock")
  [ "$own" = "$srv_user:$srv_user 660" ] || fail "socket is '$own', expected '$srv_user:$srv_user 660'"
  # Uid/Gid lines: real, effective, saved, filesystem; Groups: the supplementary groups.
  local st
  st=$(cat "/proc/$cap_pid/status")
  grep -q "^Uid:[[:space:]]*$cap_uid[[:space:]]*$cap_uid[[:space:]]*$cap_uid[[:space:]]*$cap_uid$" <<<"$st" ||
    fail "capture uids: $(grep ^Uid: <<<"$st"), expected all $cap_uid"
  grep -q "^Gid:[[:space:]]*$cap_gid[[:space:]]*$cap_gid[[:space:]]*$cap_gid[[:space:]]*$cap_gid$" <<<"$st" ||
    fail "capture gids: $(grep ^Gid: <<<"$st"), expected all $cap_gid"
  grep -q "^Groups:[[:space:]]*$cap_gid[[:space:]]*$" <<<"$st" ||
    fail "capture supplementary groups: $(grep ^Groups: <<<"$st"), expected only $cap_gid"
  grep -q "^CapEff:[[:space:]]*0*$" <<<"$st" || fail "capture has capabilities: $(grep ^CapEff: <<<"$st")"
  local r
  r=$(handshake_as "$srv_user")
  [ "$r" = ok ] || fail "the socket's owner could not complete the handshake: $r"
  r=$(handshake_as "$other_user")
  [ "$r" = PermissionError ] || fail "a user outside the socket's group got '$r', expected PermissionError"
}

start_capture
check_running_capture
kill -TERM "$cap_pid"
rc=0
wait "$cap_pid" || rc=$?
cap_pid=
[ "$rc" -eq 0 ] || fail "the capture exited with $rc after SIGTERM"
grep -q "dnstap writer #1 finished" "$work/capture.log" || fail "the handshake did not reach the capture"

# The unprivileged capture could not unlink its socket from the root-owned directory; the next
# start (as root again) replaces it.
start_capture
check_running_capture
echo "1 passed, 0 failed: socket $srv_user:$srv_user 0660 set up as root, capture serving as $cap_user"
