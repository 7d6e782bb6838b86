#!/usr/bin/env bash
# Integration: the systemd units in deploy/systemd are valid and as hardened as intended.
#  1. `systemd-analyze verify` (offline: no PID 1 systemd needed) reports nothing for either
#     unit, with ExecStart pointed at the built programs (verify checks the binary exists).
#  2. `systemd-analyze security --offline=true`: exposure at most 2.5 (capture) / 2.0 (exporter).
#  3. The settings the services rely on are there: Type=notify, WatchdogSec, Restart=on-failure,
#     the hardening keys, an exporter that is not root and is ordered after the capture without
#     depending on it (either restarts alone).
# Exits 77 (ctest SKIP_RETURN_CODE) when systemd-analyze is missing or cannot verify a known-good
# unit here; never counts that as a pass.
# Usage: services_systemd.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2
units=$src/deploy/systemd
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
passed=0

command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
sa() { timeout 60 systemd-analyze "$@" --no-pager 2>&1; }

# Does verify work on this machine at all? A known-good unit must pass silently, and a unit
# with a mistake must be reported (else a silent verify proves nothing).
printf '[Unit]\nDescription=control\n[Service]\nType=oneshot\nExecStart=/bin/true\n' \
  >"$work/control-good.service"
printf '[Service]\nExecStart=/bin/true\nNoSuchKey=1\nProtectSystem=bogus\n' \
  >"$work/control-bad.service"
if ! out=$(cd "$work" && sa verify --man=no --generators=no ./control-good.service) || [ -n "$out" ]; then
  skip "systemd-analyze verify cannot check a known-good unit here: $out"
fi
out=$(cd "$work" && sa verify --man=no --generators=no ./control-bad.service || true)
grep -q "NoSuchKey" <<<"$out" || skip "systemd-analyze verify does not report unknown keys here"

for u in capture exporter; do
  bin=$build/$u/asimdns-$u
  [ -x "$bin" ] || fail "missing $bin (build first)"
  grep -q "^ExecStart=/usr/local/bin/asimdns-$u " "$units/asimdns-$u.service" ||
    fail "asimdns-$u.service: ExecStart is not /usr/local/bin/asimdns-$u"
  sed "s|^ExecStart=/usr/local/bin/asimdns-$u |ExecStart=$bin |" "$units/asimdns-$u.service" \
    >"$work/asimdns-$u.service"
done

# 1. verify: both units together (the exporter's After= names the capture).
out=$(cd "$work" && sa verify --man=no --generators=no ./asimdns-capture.service \
  ./asimdns-exporter.service) || fail "systemd-analyze verify failed: $out"
[ -z "$out" ] || fail "systemd-analyze verify reported: $out"
passed=$((passed + 1))

# 2. exposure.
for pair in capture:2.5 exporter:2.0; do
  u=${pair%%:*} max=${pair#*:}
  out=$(cd "$work" && sa security --offline=true ./asimdns-$u.service || true)
  level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
  [ -n "$level" ] || fail "asimdns-$u.service: no exposure level in: $out"
  awk -v l="$level" -v m="$max" 'BEGIN { exit !(l <= m) }' ||
    fail "asimdns-$u.service: exposure $level above $max; $(grep '✗' <<<"$out")"
  echo "asimdns-$u.service: exposure $level (at most $max)"
done
passed=$((passed + 1))

# 3. the settings.
has() { # UNIT KEY=VALUE
  grep -qx -- "$2" "$units/asimdns-$1.service" || fail "asimdns-$1.service lacks $2"
}
for u in capture exporter; do
  for kv in Type=notify NotifyAccess=main Restart=on-failure RestartPreventExitStatus=2 \
    NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes PrivateDevices=yes \
    SystemCallFilter=@system-service SystemCallArchitectures=native RestrictSUIDSGID=yes \
    MemoryDenyWriteExecute=yes; do
    has "$u" "$kv"
  done
  grep -q '^WatchdogSec=[1-9]' "$units/asimdns-$u.service" || fail "asimdns-$u.service: no WatchdogSec"
  grep -q '^RestrictAddressFamilies=' "$units/asimdns-$u.service" ||
    fail "asimdns-$u.service: no RestrictAddressFamilies"
  grep -q '^CapabilityBoundingSet=' "$units/asimdns-$u.service" ||
    fail "asimdns-$u.service: no CapabilityBoundingSet"
done
has exporter "CapabilityBoundingSet="
has capture "RestrictAddressFamilies=AF_UNIX"
grep -Eq '^User=(asimdns-exporter)$' "$units/asimdns-exporter.service" ||
  fail "asimdns-exporter.service must run as asimdns-exporter"
grep -q '^After=.*asimdns-capture.service' "$units/asimdns-exporter.service" ||
  fail "asimdns-exporter.service is not ordered after the capture"
if grep -Eq '^(Requires|BindsTo|PartOf|Requisite)=.*asimdns-capture' "$units/asimdns-exporter.service" ||
  grep -Eq '^(Requires|BindsTo|PartOf|Requisite)=.*asimdns-exporter' "$units/asimdns-capture.service"; then
  fail "the units depend on each other: a restart of one would take the other along"
fi
# The capture's bounding set holds only what its start as root needs (CAP_SETPCAP: to empty
# the bounding set itself before it switches user).
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$units/asimdns-capture.service")
for c in $caps; do
  case $c in CAP_SETUID | CAP_SETGID | CAP_CHOWN | CAP_FOWNER | CAP_SETPCAP) ;; *) fail "capture keeps $c" ;; esac
done
# The ring directory: the capture's (root's), never the exporter's, and not /dev/shm.
has capture "RuntimeDirectory=asimdns"
grep -q '^RuntimeDirectory=' "$units/asimdns-exporter.service" &&
  fail "asimdns-exporter.service must not own a RuntimeDirectory (it would own the ring directory)"
grep -q '/dev/shm' "$units/asimdns-capture.service" "$units/asimdns-exporter.service" &&
  fail "a unit still names /dev/shm"
passed=$((passed + 1))
echo "$passed passed, 0 failed: systemd units verify cleanly, exposure bounded, settings present"
