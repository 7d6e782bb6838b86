#!/usr/bin/env bash
# Integration: the exporter refuses to run as root unless --allow-root.
#  - as root without the flag: exit code 2 at once, a message on stderr that says why and names
#    --allow-root, and no attempt to attach to the ring;
#  - as root with --allow-root, and as an unprivileged user without it: it starts (waits for the
#    ring, which does not exist) and stops cleanly on SIGTERM;
#  - --check, --help and `service` work as root (they start nothing).
# Needs root (exit 77 = skipped otherwise).
# Usage: services_root.sh BUILD_DIR
set -euo pipefail
build=$1
exp=$build/exporter/asimdns-exporter
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; cat "$work"/*.log >&2 2>/dev/null || true; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
[ -x "$exp" ] || fail "missing $exp"
passed=0

cat >"$work/exporter.yaml" <<YAML
ring: {name: it-noring-$$}
exporter: {type: console}
YAML
chmod 644 "$work/exporter.yaml"

# 1. refused as root.
rc=0
timeout 10 "$exp" -c "$work/exporter.yaml" 2>"$work/refused.log" >/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "root without --allow-root: exit $rc, expected 2"
grep -q "refusing to run as root" "$work/refused.log" || fail "no 'refusing to run as root' message"
grep -q -- "--allow-root" "$work/refused.log" || fail "the message does not name --allow-root"
if grep -q "is not available yet" "$work/refused.log"; then fail "refused exporter still went for the ring"; fi
passed=$((passed + 1))

# 2. started with --allow-root (anywhere on the command line): it waits for the ring.
started() { # LOG ARGS...: must start and wait for the (missing) ring, not exit
  local log=$1 pid rc=0
  shift
  "$@" 2>"$log" >/dev/null &
  pid=$!
  for _ in $(seq 150); do
    grep -q "is not available yet" "$log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" || rc=$?
    fail "$* exited with $rc instead of waiting for the ring"
  fi
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  [ "$rc" -eq 0 ] || fail "$* exited with $rc on SIGTERM"
  grep -q "is not available yet" "$log" || fail "$* did not wait for the ring"
  if grep -q "refusing" "$log"; then fail "$* was refused"; fi
  return 0
}
started "$work/allowed.log" "$exp" -c "$work/exporter.yaml" --allow-root
started "$work/allowed2.log" "$exp" --allow-root -c "$work/exporter.yaml"
passed=$((passed + 1))

# 3. an unprivileged user needs no flag.
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
  started "$work/nobody.log" setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
    "$exp" -c "$work/exporter.yaml"
  passed=$((passed + 1))
else
  echo "note: setpriv or the user nobody is missing; unprivileged start not checked" >&2
fi

# 4. commands that start nothing work as root.
"$exp" -c "$work/exporter.yaml" --check >/dev/null 2>"$work/check.log" || fail "--check as root failed"
"$exp" --help >/dev/null || fail "--help as root failed"
rc=0
"$exp" service install 2>"$work/service.log" || rc=$?
[ "$rc" -eq 2 ] && grep -q systemd "$work/service.log" ||
  fail "'service' on Linux: exit $rc, expected 2 and a pointer to the systemd units"
passed=$((passed + 1))
echo "$passed passed, 0 failed: the exporter refuses root without --allow-root"
