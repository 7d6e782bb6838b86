#!/usr/bin/env bash
# Runs a Windows program under Wine; ctest uses it as CMAKE_CROSSCOMPILING_EMULATOR in the
# mingw-w64 build, so the .exe tests run on Linux.
# Usage: wine-run.sh PREFIX DLL-DIR PROGRAM.exe [ARGS...]
#        wine-run.sh PREFIX DLL-DIR --init | --kill
# PREFIX is a throwaway Wine prefix (under the build folder): created once, under a lock, since
# wineboot takes several seconds and tests run in parallel. DLL-DIR (cmocka.dll and the
# libgcc_s_seh-1.dll it needs) goes on the Windows PATH. --init (ctest's setup fixture) also
# starts the prefix's wineserver for good; --kill ends it and every Wine process of it (the
# cleanup fixture).
set -euo pipefail
prefix=${1:?usage: wine-run.sh PREFIX DLL-DIR PROGRAM [ARGS...]}
dlls=${2:?usage: wine-run.sh PREFIX DLL-DIR PROGRAM [ARGS...]}
shift 2
wine=${ASIMDNS_WINE:-}
if [ -z "$wine" ]; then
  for w in /usr/lib/wine/wine64 "$(command -v wine64 || true)" "$(command -v wine || true)"; do
    if [ -n "$w" ] && [ -x "$w" ]; then wine=$w; break; fi
  done
fi
[ -n "$wine" ] || { echo "wine-run.sh: no wine64 (apt-get install wine64)" >&2; exit 127; }
server=$(dirname "$wine")/wineserver
[ -x "$server" ] || server=$(command -v wineserver || echo wineserver)

export WINEPREFIX=$prefix WINEDEBUG=-all
# No Mono or Gecko prompts or downloads while the prefix is created: nothing here needs them.
export WINEDLLOVERRIDES="mscoree,mshtml=;${WINEDLLOVERRIDES:-}"
# Wine maps / to drive Z:.
export WINEPATH="Z:${dlls//\//\\}"

if [ "${1:-}" = --kill ]; then
  [ -d "$prefix" ] && "$server" -k 2>/dev/null || true
  exit 0
fi

mkdir -p "$(dirname "$prefix")"
(
  flock 9
  if [ ! -f "$prefix/.asimdns-ready" ]; then
    rm -rf "$prefix"
    "$wine" wineboot --init >/dev/null 2>&1
    "$server" -w
    touch "$prefix/.asimdns-ready"
  fi
) 9>"$prefix.lock"
if [ "${1:-}" = --init ]; then
  # A wineserver that stays up until --kill: by default it exits a few seconds after the last
  # Wine process, and a program starting in that moment fails with "wine client error: ...
  # Connection reset by peer" (seen between two tests run back to back). Its output must not
  # hold ctest's pipes. A server already running for the prefix makes this a no-op.
  "$server" -p </dev/null >/dev/null 2>&1 || true
  exit 0
fi

# Wine's helper processes (wineserver, services.exe, winedevice.exe, ...) are started by the
# first Wine process of a session and inherit its standard output and error. Were those
# ctest's pipes, ctest would wait for the helpers, not for the test, so the program writes
# into files that are copied out when it ends. Stopping this script stops the program.
out=$(mktemp) err=$(mktemp)
child=
finish() { rm -f "$out" "$err"; }
trap finish EXIT
trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 143' TERM INT HUP
"$wine" "$@" </dev/null >"$out" 2>"$err" &
child=$!
rc=0
wait "$child" || rc=$?
cat "$out"
cat "$err" >&2
exit "$rc"
