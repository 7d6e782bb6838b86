#!/usr/bin/env bash
# Integration: runs scripts/demo (the README's main job) against an existing build
# (ASIMDNS_DEMO_BUILD skips its deps and build steps) and checks that real events went through:
# the request and response records for names the demo asked, an NXDOMAIN and a TCP query, the
# status table, and that the demo stopped and removed what it started.
# Usage: demo_check.sh BUILD_DIR   (exit 77 = skipped: Unbound or dig missing)
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
for t in unbound unbound-checkconf dig python3; do
  command -v "$t" >/dev/null || { echo "SKIP: $t not installed (scripts/deps --dns-servers)"; exit 77; }
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- demo output" >&2; cat "$out" >&2; exit 1; }

# The demo's own deadlines bound its run time; ctest's TIMEOUT is the last resort.
rc=0
ASIMDNS_DEMO_BUILD=$build bash "$top/scripts/demo" >"$out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "scripts/demo exited with $rc"
# A clean run prints no shell errors (an early `grep` on a log file the forked server had not
# created yet once did).
if grep -E 'No such file or directory|command failed with exit status' "$out" >&2; then
  fail "the demo printed errors"
fi

# The compact table lists every record the exporter wrote: subtype, DnsQuery, type, result, protocol.
has_row() { grep -Eq "^ +[0-9:.]+ +$1 +$2 +$3 +$4 +$5 " "$out" || fail "no ASIM record: $*"; }
has_row request  www.contoso.test A NA UDP
has_row response www.contoso.test A NOERROR UDP
has_row response www.contoso.test AAAA NOERROR UDP
has_row response contoso.test MX NOERROR UDP
has_row response txt.contoso.test TXT NOERROR UDP
has_row response nosuchhost.contoso.test A NXDOMAIN UDP
has_row response www.contoso.test TXT NOERROR UDP
has_row request  www.contoso.test A NA TCP
has_row response www.contoso.test A NOERROR TCP
# The raw JSON lines: a dnstap request from Unbound, with ASIM fields.
grep -q '^{.*"EventSubType":"request".*"EventProduct":"Unbound".*"DnsQuery":"www.contoso.test"' "$out" \
  || fail "no raw ASIM JSON request line for www.contoso.test from Unbound"
grep -q '"EventSchema":"Dns","EventSchemaVersion":"0.1.7"' "$out" || fail "no EventSchema Dns 0.1.7"
# The status table, taken while both services ran.
grep -Eq '^  records_exported +[1-9][0-9]*$' "$out" || fail "status table without exported records"
grep -Eq '^  dropped_ring_full +0$' "$out" || fail "status table: dropped_ring_full not 0"
grep -q '^health: healthy' "$out" || fail "status was not healthy while the demo ran"
n=$(sed -n 's/^== demo OK: \([0-9]*\) queries -> \([0-9]*\) ASIM records.*/\1 \2/p' "$out")
[ -n "$n" ] || fail "no 'demo OK' summary"
read -r queries records <<<"$n"
[ "$records" -eq $((2 * queries)) ] || fail "$queries queries but $records records"

# Everything it started is gone: its ring, its temp dir, its Unbound.
ring=$(sed -n "s/^== asimdns-capture: .* ring '\(.*\)'$/\1/p" "$out")
dir=$(sed -n 's/^== asimdns-capture: dnstap socket \(.*\)\/dnstap.sock .*/\1/p' "$out")
[ -n "$ring" ] && [ -n "$dir" ] || fail "cannot find the demo's ring name and temp dir in its output"
[ ! -e "$dir" ] || fail "the demo left $dir behind"
if "$build/cli/asimdns" status --ring "$ring" >/dev/null 2>&1; then fail "the demo left ring $ring"; fi
if pgrep -f "$dir/unbound.conf" >/dev/null; then fail "the demo left Unbound running"; fi
echo "1 passed, 0 failed: scripts/demo sent $queries queries, $records ASIM records arrived"
