#!/usr/bin/env bash
# Windows build under Wine: the spool's directory checks (exporter/spool_fs_win32.c) on
# directories made on the Linux side, because Wine makes a directory's DACL from its Unix mode
# (ignoring the one CreateDirectory asks for) and its CreateSymbolicLinkA makes a plain
# directory: SPOOL_TEST_WRITABLE is a mode-0777 directory (Wine: Everyone may write) and
# SPOOL_TEST_LINK a symbolic link to a private directory; both must be refused.
# Usage: spool_dir_wine.sh EMULATOR... TEST.exe
set -euo pipefail
work=$(mktemp -d /dev/shm/asimdns-spool-dir.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -m 700 "$work/target"
ln -s "$work/target" "$work/link"
mkdir "$work/writable"
chmod 0777 "$work/writable"
win="Z:${work//\//\\}"
SPOOL_TEST_WRITABLE="$win\\writable" SPOOL_TEST_LINK="$win\\link" \
  SPOOL_TEST_FILTER='*directory*' "$@"
