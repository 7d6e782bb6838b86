#!/usr/bin/env bash
# Unit: a POSIX build defines no Windows-only function (a global symbol named *_win32, such as
# the ETW table ad_etw_api_win32): what exists only on Windows is not reachable elsewhere, and
# a POSIX caller fails to link instead of getting a stand-in.
# Usage: no_win32_symbols.sh NM LIBRARY...
set -euo pipefail
nm=$1
shift
found=""
for lib in "$@"; do
  [ -f "$lib" ] || { echo "FAIL: no library $lib"; exit 1; }
  syms=$("$nm" --defined-only -g "$lib") || { echo "FAIL: $nm $lib"; exit 1; }
  hits=$(printf '%s\n' "$syms" | awk '$3 ~ /_win32$/ {print $3}')
  [ -z "$hits" ] || found+="$(basename "$lib"): $hits"$'\n'
done
if [ -n "$found" ]; then
  printf 'FAIL: Windows-only functions defined in a POSIX build:\n%s' "$found"
  exit 1
fi
echo "PASS: no *_win32 symbol in $# libraries"
