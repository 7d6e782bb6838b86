#!/usr/bin/env bash
# Integration, disk spool damaged while the exporter is stopped (docs/SPOOL.md): records are
# spooled while the receiver is down, the exporter stops cleanly, then the spool files are
# damaged (MODE: flip = bytes flipped in a middle segment, truncate = the last segment cut,
# garbage = bytes appended to a segment). The next start reports the loss in its log, counts it
# exactly (records_lost_spool_corrupt + distinct records received = all records), delivers the
# rest and does not crash (the asan build runs the same script).
# Usage: spool_corrupt.sh BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/delivery_lib.sh"
n=2000

for mode in flip truncate garbage; do
  rm -rf "$work/spool" "$work/ids"
  spool_while_receiver_down "$n" 21 1MiB "exporter-$mode.log"
  kill -TERM "$exp_pid"
  wait_exit "$exp_pid" 30 || fail "exporter did not stop cleanly"
  mapfile -t segs < <(ls "$work/spool" | grep '^seg-' | sort)
  [ "${#segs[@]}" -ge 3 ] || fail "expected several segments, got ${#segs[@]}"
  before=$(counter records_lost_spool_corrupt)
  case $mode in
    flip)
      f="$work/spool/${segs[1]}"
      size=$(stat -c %s "$f")
      for off in $(( size / 3 )) $(( size / 2 )); do
        printf '\xa5' | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
      done ;;
    truncate)
      f="$work/spool/${segs[-1]}"
      truncate -s $(( $(stat -c %s "$f") / 2 )) "$f" ;;
    garbage)
      head -c 5000 /dev/urandom >>"$work/spool/${segs[0]}" ;;
  esac
  start_receiver "$port"
  start_exporter "exporter-$mode.log" --max-idle 3
  wait_exit "$exp_pid" 60 || fail "$mode: exporter failed after the damage (crash?)"
  lost=$(( $(counter records_lost_spool_corrupt) - before ))
  got=$(sed 's/.*-//' "$work/ids" | sort -un | wc -l)
  echo "$mode: $got delivered, $lost counted lost, of $n" >&2
  [ $(( got + lost )) -eq "$n" ] || fail "$mode: $got delivered + $lost lost != $n"
  case $mode in
    garbage) [ "$lost" -eq 0 ] || fail "garbage after the last block lost records" ;;
    *) [ "$lost" -gt 0 ] || fail "$mode: damage not detected"
       grep -q "records lost (ids" "$work/exporter-$mode.log" || fail "$mode: loss not logged" ;;
  esac
  stop_receiver
  "$build/cli/asimdns" remove-ring --ring "$ring" >/dev/null
done
echo "3 passed, 0 failed: damaged spool files reported, counted exactly, the rest delivered"
