#!/usr/bin/env bash
# Unit: cmake/check_layering.cmake accepts the real tree and refuses each forbidden include
# (capture <-> exporter, anything -> cli, capture -> health, common -> anything, ipc -> config,
# health -> exporter, ipc -> common/log.h) in a scratch tree.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
check="$top/cmake/check_layering.cmake"
cmake -DSOURCE_DIR="$top" -P "$check" || { echo "FAIL: the project tree itself breaks the layering"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
expect_refused() { # FOLDER INCLUDED-FOLDER [HEADER]
  rm -rf "${work:?}"/*
  mkdir -p "$work/$1"
  printf '#include "%s/%s"\n' "$2" "${3:-x.h}" >"$work/$1/a.c"
  if cmake -DSOURCE_DIR="$work" -P "$check" >"$work.out" 2>&1; then
    echo "FAIL: $1/ including $2/ was accepted"; exit 1
  fi
  grep -q "$1/a.c" "$work.out" || { echo "FAIL: the message does not name $1/a.c"; cat "$work.out"; exit 1; }
  rm -f "$work.out"
}
expect_refused capture exporter
expect_refused exporter capture
expect_refused common ipc
expect_refused ipc config
expect_refused config capture
expect_refused capture cli
expect_refused exporter cli
expect_refused capture health
expect_refused health exporter
expect_refused health cli
expect_refused ipc health
expect_refused ipc common log.h
# Allowed ones pass.
rm -rf "${work:?}"/*
mkdir -p "$work/capture" && printf '#include "ipc/ring.h"\n#include "config/config.h"\n' >"$work/capture/a.c"
cmake -DSOURCE_DIR="$work" -P "$check" || { echo "FAIL: capture/ including ipc/ and config/ was refused"; exit 1; }
rm -rf "${work:?}"/*
mkdir -p "$work/cli" "$work/exporter" "$work/ipc"
printf '#include "health/ring_health.h"\n#include "exporter/otlp_scan.h"\n' >"$work/cli/a.c"
printf '#include "health/ring_health.h"\n' >"$work/exporter/a.c"
printf '#include "common/error.h"\n' >"$work/ipc/a.c"
cmake -DSOURCE_DIR="$work" -P "$check" || { echo "FAIL: an allowed cli/, exporter/ or ipc/ include was refused"; exit 1; }
echo "PASS: include layering check"
