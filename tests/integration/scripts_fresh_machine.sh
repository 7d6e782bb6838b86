#!/usr/bin/env bash
# Integration: the install scripts on a fresh Debian machine, without depending on what this
# machine already has. A temporary apt configuration (APT_CONFIG: its own source entries,
# package lists, cache and dpkg status) and package database (DPKG_ADMINDIR) stand in for a new
# machine; nothing real is installed (scripts/deps --dry-run, scripts/windows-deps --plan).
# Cases: no package lists yet, packages missing, no deb-src entries, deb-src entries but no
# source index yet, no Debian entries at all (a clear error), and the strict-mode library
# naming the failing command of an unexpected exit. Needs Debian's archive (as the scripts do).
# Usage: scripts_fresh_machine.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
source "$top/tests/lib/testlib.sh"
tl_start "" -t asimdns-fresh.XXXXXX

# fresh_root NAME: a new apt configuration under $work/NAME with empty lists, cache and dpkg
# status; prints the path of its apt.conf. Source entries are added by the caller.
fresh_root() {
  local r=$work/$1
  mkdir -p "$r/parts" "$r/lists/partial" "$r/cache/archives/partial" "$r/dpkg/info" "$r/dpkg/updates"
  : >"$r/sources.list"
  : >"$r/dpkg/status"
  cat >"$r/apt.conf" <<CONF
Dir::Etc::sourcelist "$r/sources.list";
Dir::Etc::sourceparts "$r/parts";
Dir::State::lists "$r/lists";
Dir::State::status "$r/dpkg/status";
Dir::Cache "$r/cache";
CONF
  echo "$r/apt.conf"
}
# deb_entries ROOT: Debian's deb entries of this machine (deb822 or one-line), never deb-src.
deb_entries() {
  local r=$1
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    grep -v '^#' /etc/apt/sources.list.d/debian.sources | sed -E 's/^Types:.*/Types: deb/' >"$r/parts/debian.sources"
  else
    grep -E '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list >"$r/sources.list"
  fi
}
# run_script NAME APT_CONF CMD...: runs CMD with the temporary apt configuration; its output in
# $work/NAME.out and .err, its exit status in $rc.
run_script() {
  local name=$1 conf=$2
  shift 2
  rc=0
  APT_CONFIG=$conf DPKG_ADMINDIR=$(dirname "$conf")/dpkg "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
}
show() { echo "--- stdout"; cat "$work/$1.out"; echo "--- stderr"; cat "$work/$1.err"; }
check() { # NAME CONDITION-DESCRIPTION COMMAND...
  local name=$1 what=$2
  shift 2
  "$@" || { show "$name" >&2; fail "$name: $what"; }
}
etc_state() { { ls -la /etc/apt/sources.list.d; cat /etc/apt/sources.list.d/* /etc/apt/sources.list 2>/dev/null || true; } | sha256sum; }
etc_before=$(etc_state)

# 1. scripts/deps: no package lists yet, every package missing (empty dpkg database).
conf=$(fresh_root deps)
deb_entries "$(dirname "$conf")"
run_script deps "$conf" "$top/scripts/deps" --windows --dns-servers --dry-run
check deps "exit status $rc, expected 0" [ "$rc" -eq 0 ]
check deps "did not report missing packages" grep -q '^deps: missing .*libnng-dev.*wine64.*unbound' "$work/deps.out"
check deps "did not download package lists" compgen -G "$(dirname "$conf")/lists/*Packages*" >/dev/null

# 2. scripts/deps with no usable source entries at all: a clear error, never a silent exit.
conf=$(fresh_root deps-nosources)
run_script deps-nosources "$conf" "$top/scripts/deps" --dry-run
check deps-nosources "exit status 0 without any source entries" [ "$rc" -ne 0 ]
check deps-nosources "no message naming what failed" grep -q 'deps: apt-get cannot install' "$work/deps-nosources.err"

# 3. scripts/windows-deps: no deb-src entries and no package lists (a fresh Debian 12).
conf=$(fresh_root win-fresh)
root=$(dirname "$conf")
deb_entries "$root"
run_script win-fresh "$conf" "$top/scripts/windows-deps" --plan "$work/win-prefix"
check win-fresh "exit status $rc, expected 0" [ "$rc" -eq 0 ]
for lib in mbedtls nng libyaml cmocka protobuf-c libdeflate libisal; do
  check win-fresh "no version resolved for $lib" grep -Eq "^$lib [0-9][^ ]* to build$" "$work/win-fresh.out"
done
check win-fresh "no deb-src entries were added" grep -rqsE '^(Types: deb-src|deb-src )' "$root/parts"
check win-fresh "apt-get update ran more than once" [ "$(grep -c 'apt-get update' "$work/win-fresh.err")" -eq 1 ]

# 4. deb-src entries present but no source index downloaded yet.
conf=$(fresh_root win-nolists)
root=$(dirname "$conf")
deb_entries "$root"
if [ -f "$root/parts/debian.sources" ]; then
  sed -i -E 's/^Types: deb$/Types: deb deb-src/' "$root/parts/debian.sources"
else
  sed -i -E 'p; s/^([[:space:]]*)deb /\1deb-src /' "$root/sources.list"
fi
run_script win-nolists "$conf" "$top/scripts/windows-deps" --plan "$work/win-prefix"
check win-nolists "exit status $rc, expected 0" [ "$rc" -eq 0 ]
check win-nolists "no version resolved" grep -Eq '^nng [0-9][^ ]* to build$' "$work/win-nolists.out"
check win-nolists "added entries although deb-src entries existed" \
  bash -c "! compgen -G '$root/parts/asimdns-src.*' >/dev/null"

# 5. no Debian entries to derive deb-src entries from: a message, not exit 100 and silence.
conf=$(fresh_root win-empty)
run_script win-empty "$conf" "$top/scripts/windows-deps" --plan "$work/win-prefix"
check win-empty "exit status 0 without any source entries" [ "$rc" -ne 0 ]
check win-empty "no message saying why" grep -q 'windows-deps: no Debian deb entries' "$work/win-empty.err"

# 6. The strict-mode library: an unexpected exit names the script, line, function and command,
# and a failing pipeline's statuses (apt-cache exits 100 without source entries).
cat >"$work/unexpected.sh" <<'SH'
source "$1"
lookup() { apt-cache showsrc --only-source mbedtls 2>/dev/null | sed -n 's/^Version: //p'; }
version=$(lookup)
echo "not reached: $version"
SH
run_script unexpected "$conf" bash "$work/unexpected.sh" "$top/scripts/lib/strict.sh"
check unexpected "exit status $rc, expected apt-cache's 100" [ "$rc" -eq 100 ]
check unexpected "went on after the failure" bash -c "! grep -q 'not reached' '$work/unexpected.out'"
check unexpected "failure not named" grep -q 'unexpected.sh: line 2 in lookup: command failed with exit status 100 (pipeline statuses: 100 0)' "$work/unexpected.err"

# 7. Every script a user runs sources the strict-mode library.
for f in "$top"/scripts/* "$top"/bench/*.sh; do
  [ -f "$f" ] || continue
  grep -q 'lib/strict.sh"' "$f" || fail "$f does not source scripts/lib/strict.sh"
done

# The machine's own apt configuration was not touched.
[ "$(etc_state)" = "$etc_before" ] ||
  fail "the machine's apt source entries changed"
echo "PASS: fresh-machine paths of scripts/deps and scripts/windows-deps"
