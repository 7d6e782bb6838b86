#!/usr/bin/env bash
# Windows service glue under Wine's service manager (services.exe, sc.exe, net.exe), in a
# throwaway Wine prefix of its own:
#  1. `asimdns-capture.exe service install -c FILE --start demand` registers the service (sc
#     query: STOPPED);
#  2. `net start` runs it through StartServiceCtrlDispatcher: RUNNING, and its log lines reach
#     the Event Log (Wine traces ReportEventW): start-up facts, the source, summary lines;
#  3. `net stop` makes it leave through the normal exit path (its final "stopping:" counter
#     line) and report STOPPED with exit code 0;
#  4. a configuration that fails to load ends the service with a service-specific exit code 1
#     (what the failure actions act on);
#  5. `service run` from a console says it is for the SCM and exits 2;
#  6. `service remove` deletes it (sc query then fails).
# Wine's service manager does not know some settings (failure-actions flag, service SID type,
# required privileges): install reports them as skipped; that is checked, too.
#  With EXPORTER.exe also: asimdns-exporter.exe installed as a service (virtual account
#  NT SERVICE\asimdns-exporter by default), started while the capture runs, attaches to the ring
#  (Event Log), stops with exit code 0 and is removed.
# Usage: service_wine.sh CAPTURE.exe HOST_BUILD [EXPORTER.exe]
#   HOST_BUILD: the Linux build folder with tests/integration/integration_replay_writer.
# Exits 77 (skipped) when wine64 is missing.
set -euo pipefail
exe=${1:?usage: service_wine.sh CAPTURE.exe HOST_BUILD}
host=${2:?usage: service_wine.sh CAPTURE.exe HOST_BUILD}
exporter=${3:-}
writer=$host/tests/integration/integration_replay_writer
wine=${ASIMDNS_WINE:-}
for w in /usr/lib/wine/wine64 "$(command -v wine64 || true)"; do
  [ -z "$wine" ] && [ -n "$w" ] && [ -x "$w" ] && wine=$w
done
[ -n "$wine" ] || { echo "SKIP: wine64 is not installed" >&2; exit 77; }
server=$(dirname "$wine")/wineserver
[ -x "$server" ] || server=$(command -v wineserver)
[ -f "$exe" ] || { echo "FAIL: $exe missing" >&2; exit 1; }
[ -z "$exporter" ] || [ -f "$exporter" ] || { echo "FAIL: $exporter missing" >&2; exit 1; }
[ -x "$writer" ] || { echo "FAIL: $writer missing: build the Linux flavour first" >&2; exit 1; }

work=$(mktemp -d)
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
keeper=
cleanup() {
  exec 9>&- 2>/dev/null || true
  "$server" -k 2>/dev/null || true # this prefix's wineserver and its processes only
  if [ -n "$keeper" ]; then kill "$keeper" 2>/dev/null || true; wait "$keeper" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  grep -v -e 'L""' -e 'L"summary: ' "$work/eventlog.txt" 2>/dev/null | tail -n 30 >&2 || true
  exit 1
}
w() { timeout 120 "$wine" "$@" </dev/null; }
state() { # [SERVICE]
  w sc query "${1:-asimdns-capture}" 2>/dev/null | sed -n 's/^ *STATE *: *[0-9]* *\([A-Z_]*\).*/\1/p'
}
exit_codes() { # [SERVICE]
  w sc query "${1:-asimdns-capture}" 2>/dev/null | awk '/EXIT_CODE/ {printf "%s ", $3}'
}
wait_state() { # STATE SECONDS [SERVICE]
  for _ in $(seq $(($2 * 4))); do [ "$(state "${3:-}")" = "$1" ] && return 0; sleep 0.25; done
  return 1
}
logged() { grep -q "ReportEventW L\"$1" "$work/eventlog.txt"; }
passed=0

timeout 300 "$wine" wineboot --init </dev/null >/dev/null 2>&1 || fail "wineboot failed"
"$server" -w
# Wine ends services when the last ordinary process of the prefix exits: keep one open. Its
# stderr collects the Event Log trace of every process the prefix starts later (services.exe
# inherits it), which is where the service's log lines show up.
# Its stdin is a FIFO this script holds open (fd 9), so it waits for input until cleanup; no
# descriptor of ctest's output goes to anything that outlives the script.
mkfifo "$work/keeper.in"
exec 9<>"$work/keeper.in"
WINEDEBUG=-all,+eventlog "$wine" cmd <"$work/keeper.in" >/dev/null 2>"$work/eventlog.txt" &
keeper=$!
sleep 2

"$writer" "$work/events.replay" 300 >/dev/null || fail "replay writer failed"
cat >"$work/capture.yaml" <<YAML
source:
  type: replay
  replay: {file: "Z:$work/events.replay", rate: 100, loop: true}
ring: {name: wt-svc-$$, size: 1MiB}
log: {summary_seconds: 1}
YAML
printf 'source: {type: replay}\nno_such_key: 1\n' >"$work/bad.yaml"

# 1. install.
w "$exe" service install -c "Z:$work/capture.yaml" --start demand >"$work/install.out" 2>&1 ||
  fail "install: $(cat "$work/install.out")"
grep -q "service installed as NT SERVICE\\\\asimdns-capture" "$work/install.out" ||
  fail "install did not report the virtual account: $(cat "$work/install.out")"
grep -q "service run -c Z:" "$work/install.out" || fail "command line: $(cat "$work/install.out")"
[ "$(state)" = STOPPED ] || fail "after install: state $(state)"
rc=0
w "$exe" service install -c "Z:$work/capture.yaml" >"$work/install2.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "error 1073" "$work/install2.out" ||
  fail "a second install: exit $rc, $(cat "$work/install2.out")"
passed=$((passed + 1))

# 2. start.
w net start asimdns-capture >/dev/null 2>&1 || fail "net start failed"
wait_state RUNNING 20 || fail "not RUNNING after net start: $(state)"
for _ in $(seq 40); do logged "summary: " && break; sleep 0.25; done
logged "asimdns-capture 0.1.0: source replay" || fail "no start-up line in the Event Log"
logged "source replay started" || fail "no 'source started' line in the Event Log"
logged "summary: " || fail "no summary line in the Event Log"
passed=$((passed + 1))

# 2b. the exporter as a service of its own, reading the running capture's ring.
if [ -n "$exporter" ]; then
  # A service has no console: deliver over OTLP/HTTP to a port nobody listens on, so the
  # exporter runs and retries (the ring keeps the records) until it is stopped.
  cat >"$work/exporter.yaml" <<YAML
ring: {name: wt-svc-$$}
exporter: {type: otlp_http}
otlp_http: {endpoint: "http://127.0.0.1:9", timeout: 2s}
YAML
  w "$exporter" service install -c "Z:$work/exporter.yaml" --start demand >"$work/xinstall.out" 2>&1 ||
    fail "exporter install: $(cat "$work/xinstall.out")"
  grep -q "service installed as NT SERVICE\\\\asimdns-exporter" "$work/xinstall.out" ||
    fail "exporter install did not use its virtual account: $(cat "$work/xinstall.out")"
  w net start asimdns-exporter >/dev/null 2>&1 || fail "net start asimdns-exporter failed"
  wait_state RUNNING 20 asimdns-exporter ||
    fail "exporter not RUNNING: $(state asimdns-exporter), exit codes $(exit_codes asimdns-exporter)"
  for _ in $(seq 40); do logged "asimdns-exporter .*attached" && break; sleep 0.25; done
  logged "asimdns-exporter .*attached" || fail "the exporter service did not attach to the ring"
  w net stop asimdns-exporter >/dev/null 2>&1 || fail "net stop asimdns-exporter failed"
  wait_state STOPPED 30 asimdns-exporter || fail "exporter not STOPPED: $(state asimdns-exporter)"
  [ "$(exit_codes asimdns-exporter)" = "0 0 " ] ||
    fail "exporter exit codes after stop: $(exit_codes asimdns-exporter)"
  w "$exporter" service remove >/dev/null 2>&1 || fail "exporter remove failed"
  [ -z "$(state asimdns-exporter)" ] || fail "exporter still registered after remove"
  passed=$((passed + 1))
fi

# 3. stop.
w net stop asimdns-capture >/dev/null 2>&1 || fail "net stop failed"
wait_state STOPPED 30 || fail "not STOPPED after net stop: $(state)"
[ "$(exit_codes)" = "0 0 " ] || fail "exit codes after stop: $(exit_codes)"
for _ in $(seq 20); do logged "stopping: " && break; sleep 0.25; done
logged "stopping: " || fail "the capture did not leave through its normal exit path"
passed=$((passed + 1))

# 4. a failing start: the exit code reaches the SCM.
w "$exe" service remove >/dev/null 2>&1 || fail "remove before reinstall failed"
w "$exe" service install -c "Z:$work/bad.yaml" --start demand >/dev/null 2>&1 ||
  fail "install with the bad configuration failed"
w net start asimdns-capture >/dev/null 2>&1 || true
wait_state STOPPED 30 || fail "bad configuration: state $(state)"
[ "$(exit_codes)" = "1066 1 " ] ||
  fail "bad configuration: exit codes $(exit_codes), expected 1066 (service-specific) 1"
passed=$((passed + 1))

# 5. `service run` outside the SCM.
rc=0
w "$exe" service run -c "Z:$work/capture.yaml" >"$work/run.out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] && grep -q "Service Control Manager" "$work/run.out" ||
  fail "console 'service run': exit $rc, $(cat "$work/run.out")"
passed=$((passed + 1))

# 6. remove.
w "$exe" service remove >"$work/remove.out" 2>&1 || fail "remove: $(cat "$work/remove.out")"
grep -q "service removed" "$work/remove.out" || fail "remove: $(cat "$work/remove.out")"
[ -z "$(state)" ] || fail "still registered after remove: $(state)"
rc=0
w "$exe" service remove >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "removing a missing service: exit $rc, expected 1"
passed=$((passed + 1))
echo "$passed passed, 0 failed: install, start, stop, failing start, console run, remove under Wine"
