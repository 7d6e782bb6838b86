#!/usr/bin/env bash
# Windows (under Wine): the shared-memory ring over named sections between two separate Wine
# processes. ring_peer.exe produce creates the ring and writes COUNT self-checking records into
# a 64 KiB ring (so it wraps hundreds of times and waits on the consumer's cursor); ring_peer.exe
# consume attaches, checks every record and commits. Both must exit 0.
# Usage: ring_two_process.sh RING_PEER.exe COUNT WINE-RUN [WINE-RUN ARGS...]
set -euo pipefail
source "$(dirname "$0")/../lib/testlib.sh"
peer=${1:?usage: ring_two_process.sh RING_PEER.exe COUNT WINE-RUN...}
count=${2:?}
shift 2
tl_start ""
name="wt-ring-$$-$RANDOM"
done_file="Z:$work/done" # Wine's drive Z: is the Linux root

# The consumer first: it waits for the ring to appear, so attaching to a ring that is still
# being created is part of the test.
"$@" "$peer" consume "$name" "$count" "$done_file" 2>"$work/consume.log" &
cpid=$!
pids+=("$cpid")
"$@" "$peer" produce "$name" "$count" "$done_file" 2>"$work/produce.log" &
ppid=$!
pids+=("$ppid")
crc=0; prc=0
wait "$cpid" || crc=$?
wait "$ppid" || prc=$?
pids=()
cat "$work/consume.log" "$work/produce.log" >&2
if [ "$crc" -ne 0 ] || [ "$prc" -ne 0 ]; then
  echo "FAIL: consumer exit $crc, producer exit $prc" >&2
  exit 1
fi
grep -q "consume: $count records in order" "$work/consume.log" ||
  { echo "FAIL: the consumer did not report $count records" >&2; exit 1; }
echo "1 passed: $count records through a named-section ring between two Wine processes"
