#!/usr/bin/env bash
# Integration: asimdns-capture and the sources it cannot run (capture/source_table.h). A source
# this build or OS lacks ends the capture with exit 1 and the row's reason in the log; --record
# with a source that has no raw ETW events ends it with exit 2 and says which sources take it.
# The words are the ones operators and scripts have seen since before the source table.
# Usage: source_errors.sh ASIMDNS_CAPTURE HAS_ETW(0|1) HAS_DNSTAP(0|1)
set -euo pipefail
source "$(dirname "$0")/../lib/testlib.sh"
capture=$1 has_etw=$2 has_dnstap=$3
tl_start ""
ring="it-srcerr-$$"
passed=0

# expect_exit CODE PATTERN TYPE [ARGS...]: runs the capture with source TYPE, wants CODE and
# PATTERN (fixed string) in what it wrote.
expect_exit() {
  local code=$1 pattern=$2 type=$3 rc=0
  shift 3
  cat >"$work/capture.yaml" <<YAML
source: {type: $type, etl_file: $work/none.etl, provider_guid: "{EB79061A-A566-4698-9119-3ED2807060E7}"}
ring: {name: $ring, size: 1MiB, directory: $work}
YAML
  timeout 20 "$capture" -c "$work/capture.yaml" "$@" >"$work/out.log" 2>&1 || rc=$?
  [ "$rc" -eq "$code" ] || fail "source $type $*: exit $rc, wanted $code"
  grep -qF -- "$pattern" "$work/out.log" || fail "source $type $*: no '$pattern' in its output"
  passed=$((passed + 1))
}

needs_windows="needs Windows (Event Tracing for Windows); on this system use the replay, synthetic or dnstap source (a file made with --record replays anywhere)"
if [ "$has_etw" = 0 ]; then
  expect_exit 1 "source 'etw' $needs_windows" etw
  expect_exit 1 "source 'etl' $needs_windows" etl
  expect_exit 1 "source 'etw' $needs_windows" etw --record "$work/rec.txt"
  [ ! -e "$work/rec.txt" ] || fail "--record file created for a source that cannot run"
fi
if [ "$has_dnstap" = 0 ]; then
  expect_exit 1 "source 'dnstap' is not available in this build" dnstap
fi
expect_exit 2 "--record needs the etw or etl source (source is synthetic)" synthetic --record "$work/rec.txt"
expect_exit 2 "--record needs the etw or etl source (source is dnstap)" dnstap --record "$work/rec.txt"
echo "PASS: $passed source errors"
