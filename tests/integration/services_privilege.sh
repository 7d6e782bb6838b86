#!/usr/bin/env bash
# Integration: least privilege of the two services with real accounts (Linux, needs root).
#
# Creates a ring group and two users (removed at the end if this script made them), then runs
#   asimdns-capture as root with privileges.user = the capture user and ring.group = the group,
#   asimdns-exporter as the exporter user (a member of the group), like the systemd units do.
# Checks:
#  1. the capture switched for good: all of its uids/gids are the capture user's, no effective,
#     permitted or ambient capabilities, no_new_privs set;
#  2. the exporter, unprivileged, attaches and exports records;
#  3. its mapping of the data object is read-only and shared (r--s), the cursor's read-write,
#     and it holds no descriptor of the data object open for writing;
#  4. as the exporter's user: opening the data object O_RDWR or O_WRONLY fails with EACCES, a
#     writable shared mapping of it fails with EACCES, mprotect(PROT_WRITE) on the read-only
#     mapping fails with EACCES, a store through the mapping is killed by SIGSEGV and changes
#     nothing, and the object can be neither removed nor chmod'ed.
# Usage: services_privilege.sh BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/../lib/testlib.sh"
build=$1
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (creates users and switches to them)" >&2; exit 77; }
command -v setpriv >/dev/null || { echo "FAIL: setpriv (util-linux) is missing" >&2; exit 1; }
# The system interpreter: a per-user one (pyenv shims under /root) is not reachable by the
# unprivileged user.
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
GROUP=adsvc-ring CAP_USER=adsvc-cap EXP_USER=adsvc-exp
tl_start "$build"
chmod 755 "$work"
ring="it-priv-$$"
tl_rings+=("$ring")
made=()
remove_accounts() {
  for a in "${made[@]}"; do
    case $a in
      user:*) userdel "${a#user:}" >/dev/null 2>&1 || true ;;
      group:*) groupdel "${a#group:}" >/dev/null 2>&1 || true ;;
      member:*) gpasswd -d "$EXP_USER" "${a#member:}" >/dev/null 2>&1 || true ;;
    esac
  done
}
tl_exit_hooks+=(remove_accounts)
fail() { echo "FAIL: $*" >&2; cat "$work"/*.log >&2 2>/dev/null || true; exit 1; }
passed=0

if ! getent group "$GROUP" >/dev/null; then groupadd "$GROUP"; made+=("group:$GROUP"); fi
if ! id "$CAP_USER" >/dev/null 2>&1; then
  useradd -M -U -s /usr/sbin/nologin "$CAP_USER"; made=("user:$CAP_USER" "${made[@]}")
fi
if ! id "$EXP_USER" >/dev/null 2>&1; then
  useradd -M -U -s /usr/sbin/nologin -G "$GROUP" "$EXP_USER"; made=("user:$EXP_USER" "${made[@]}")
fi
# An exporter user left by an interrupted run may have outlived its group: join it again.
if ! id -nG "$EXP_USER" | grep -qw "$GROUP"; then
  usermod -a -G "$GROUP" "$EXP_USER"; made=("member:$GROUP" "${made[@]}")
fi
id -nG "$EXP_USER" | grep -qw "$GROUP" || fail "$EXP_USER is not in $GROUP"

cat >"$work/capture.yaml" <<YAML
source: {type: synthetic, synthetic: {seed: 3, rate: 500, count: 0}}
ring: {name: $ring, size: 1MiB, group: $GROUP}
privileges: {user: $CAP_USER}
YAML
cat >"$work/exporter.yaml" <<YAML
ring: {name: $ring}
exporter: {type: console}
batch: {max_records: 50, max_age: 100ms}
YAML
chmod 644 "$work"/*.yaml

"$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>"$work/capture.log" &
cap=$!; pids+=("$cap")
data=/run/asimdns/asimdns-$ring-data
cursor=/run/asimdns/asimdns-$ring-cursor
for _ in $(seq 100); do [ -e "$data" ] && [ -e "$cursor" ] && grep -q "running as user" "$work/capture.log" && break; sleep 0.1; done
[ -e "$data" ] || fail "the capture did not create $data"

# 1. the capture's switch.
cap_uid=$(id -u "$CAP_USER") cap_gid=$(id -g "$CAP_USER")
st=/proc/$cap/status
[ "$(awk '/^Uid:/ {print $2, $3, $4, $5}' "$st")" = "$cap_uid $cap_uid $cap_uid $cap_uid" ] ||
  fail "capture uids: $(grep ^Uid: "$st")"
[ "$(awk '/^Gid:/ {print $2, $3, $4, $5}' "$st")" = "$cap_gid $cap_gid $cap_gid $cap_gid" ] ||
  fail "capture gids: $(grep ^Gid: "$st")"
[ "$(awk '/^Groups:/ {print $2}' "$st")" = "$cap_gid" ] || fail "capture groups: $(grep ^Groups: "$st")"
for c in CapEff CapPrm CapAmb CapBnd; do
  [ "$(awk -v k="$c:" '$1 == k {print $2}' "$st")" = 0000000000000000 ] || fail "capture $c: $(grep "^$c:" "$st")"
done
[ "$(awk '/^NoNewPrivs:/ {print $2}' "$st")" = 1 ] || fail "capture: no_new_privs not set"
passed=$((passed + 1))

# 2. the exporter as its own user, without --allow-root.
setpriv --reuid="$EXP_USER" --regid="$EXP_USER" --init-groups \
  "$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" >"$work/out.jsonl" 2>"$work/exporter.log" &
exp=$!; pids+=("$exp")
for _ in $(seq 100); do [ -s "$work/out.jsonl" ] && break; sleep 0.1; done
kill -0 "$exp" 2>/dev/null || fail "the exporter exited"
[ -s "$work/out.jsonl" ] || fail "the exporter exported nothing as $EXP_USER"
[ "$(awk '/^Uid:/ {print $3}' /proc/$exp/status)" = "$(id -u "$EXP_USER")" ] || fail "exporter uid"
passed=$((passed + 1))

# 3. the exporter's own view of the objects.
dperm=$(awk -v p="$data" '$6 == p {print $2}' /proc/$exp/maps | sort -u)
cperm=$(awk -v p="$cursor" '$6 == p {print $2}' /proc/$exp/maps | sort -u)
[ -n "$dperm" ] || fail "the exporter has no mapping of $data"
[ "$dperm" = "r--s" ] || fail "exporter maps the data object as '$dperm', expected r--s only"
[ "$cperm" = "rw-s" ] || fail "exporter maps the cursor object as '$cperm', expected rw-s"
for fd in /proc/$exp/fd/*; do
  [ "$(readlink "$fd" 2>/dev/null)" = "$data" ] || continue
  flags=$(awk '/^flags:/ {print $2}' "/proc/$exp/fdinfo/${fd##*/}")
  [ $((8#$flags & 3)) -eq 0 ] || fail "the exporter holds $data open for writing (flags $flags)"
done
passed=$((passed + 1))

# 4. what the exporter's user may try against the data object.
cat >"$work/probe.py" <<'PY'
import ctypes, errno, mmap, os, signal, sys
path = sys.argv[1]
bad = []
def refused(what, fn, codes):
    try:
        fn()
    except OSError as e:
        if e.errno not in codes:
            bad.append("%s: %s, expected %s" % (what, e, "/".join(errno.errorcode[c] for c in codes)))
        return
    bad.append("%s succeeded" % what)

refused("open O_RDWR", lambda: os.open(path, os.O_RDWR), (errno.EACCES,))
refused("open O_WRONLY", lambda: os.open(path, os.O_WRONLY), (errno.EACCES,))
fd = os.open(path, os.O_RDONLY)
size = os.fstat(fd).st_size
refused("writable shared mmap", lambda: mmap.mmap(fd, size, mmap.MAP_SHARED,
        mmap.PROT_READ | mmap.PROT_WRITE), (errno.EACCES,))
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
if addr is None or addr == ctypes.c_void_p(-1).value:
    bad.append("read-only mmap failed: errno %d" % ctypes.get_errno())
else:
    if libc.mprotect(addr, size, mmap.PROT_READ | mmap.PROT_WRITE) == 0:
        bad.append("mprotect(PROT_WRITE) on the read-only mapping succeeded")
    elif ctypes.get_errno() != errno.EACCES:
        bad.append("mprotect: errno %d, expected EACCES" % ctypes.get_errno())
    before = ctypes.string_at(addr, 64)
    pid = os.fork()
    if pid == 0:
        ctypes.memset(addr, 0x41, 64)  # must fault
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSEGV):
        bad.append("a store through the read-only mapping did not fault (status %d)" % status)
    if ctypes.string_at(addr, 64) != before:
        bad.append("the store changed the data object")
refused("unlink", lambda: os.unlink(path), (errno.EPERM, errno.EACCES))
refused("chmod", lambda: os.chmod(path, 0o666), (errno.EPERM,))
refused("truncate", lambda: os.truncate(path, 0), (errno.EACCES,))
for b in bad:
    print("probe: " + b)
sys.exit(1 if bad else 0)
PY
setpriv --reuid="$EXP_USER" --regid="$EXP_USER" --init-groups "$py" "$work/probe.py" "$data" \
  >"$work/probe.log" 2>&1 || fail "the exporter's user could write the data object: $(cat "$work/probe.log")"
# The probe itself must be able to fail: as the capture side (root) the same steps succeed.
if "$py" "$work/probe.py" "$data" >/dev/null 2>&1; then fail "the probe passes as root: it proves nothing"; fi
passed=$((passed + 1))

kill -0 "$cap" 2>/dev/null || fail "the capture exited"
kill -TERM "$exp" "$cap"
wait "$exp" || fail "exporter exited non-zero on SIGTERM"
wait "$cap" || fail "capture exited non-zero on SIGTERM"
pids=()
echo "$passed passed, 0 failed: capture switched for good; the exporter maps data read-only and cannot write it"
