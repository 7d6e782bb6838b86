#!/usr/bin/env bash
# Unit: cmake/check_platform_files.cmake accepts the real tree and, in a scratch tree, refuses a
# platform file with code outside its #ifdef AD_PLATFORM_* guard, a portable file that tests the
# OS, and a listed known breach that no longer breaks the rule; it accepts what follows the rule.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
check="$top/cmake/check_platform_files.cmake"
cmake -DSOURCE_DIR="$top" -P "$check" || { echo "FAIL: the project tree itself breaks the rule"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree="$work/tree"
# put FILE TEXT: a scratch tree holding only FILE.
put() {
  rm -rf "$tree"
  mkdir -p "$tree/$(dirname "$1")"
  printf '%b' "$2" >"$tree/$1"
}
expect_refused() { # FILE TEXT WORDS
  put "$1" "$2"
  if cmake -DSOURCE_DIR="$tree" -P "$check" >"$work/out" 2>&1; then
    echo "FAIL: $1 was accepted:"; printf '%b\n' "$2"; exit 1
  fi
  grep -qF "$1: $3" "$work/out" || { echo "FAIL: no '$1: $3' in:"; cat "$work/out"; exit 1; }
}
expect_accepted() { # FILE TEXT
  put "$1" "$2"
  cmake -DSOURCE_DIR="$tree" -P "$check" >"$work/out" 2>&1 ||
    { echo "FAIL: $1 was refused:"; cat "$work/out"; exit 1; }
}
guard_posix="its code is not all inside #ifdef AD_PLATFORM_POSIX"
expect_refused capture/a_posix.c '/* x */\n#include <unistd.h>\nint a;\n' "$guard_posix"
expect_refused capture/a_posix.c '#define _GNU_SOURCE\n#ifdef AD_PLATFORM_POSIX\nint a;\n#endif\n' "$guard_posix"
expect_refused capture/a_posix.c '#ifdef AD_PLATFORM_POSIX\nint a;\n#endif\nint b;\n' "$guard_posix"
expect_refused capture/a_posix.c '#ifdef AD_PLATFORM_POSIX\n#if X\nint a;\n#endif\n' "$guard_posix"
expect_refused common/a_win32.c '#ifdef AD_PLATFORM_POSIX\nint a;\n#endif\n' \
  "its code is not all inside #ifdef AD_PLATFORM_WINDOWS"
expect_refused capture/a.c 'int a;\n#if defined(_WIN32)\nint b;\n#endif\n' "a portable file tests the OS"
expect_refused ipc/a.h '#ifdef AD_PLATFORM_WINDOWS\n#define A 1\n#endif\n' "a portable file tests the OS"
expect_refused exporter/a.c '#elif defined(__linux__)\n' "a portable file tests the OS"
expect_refused exporter/otlp_batch.c 'int a;\n' "follows the rule now"
expect_accepted capture/a_posix.c '/*\n * x\n */\n#ifdef AD_PLATFORM_POSIX\n#if defined(__linux__)\n#define _GNU_SOURCE\n#endif\n#include <unistd.h>\nint a;\n#endif\n'
expect_accepted capture/a_win32.h '#ifndef AD_A_WIN32_H\n#define AD_A_WIN32_H\n#endif\n'
expect_accepted common/a.c '#if defined(__BYTE_ORDER__)\n#endif\n#if defined(__MINGW32__)\n#endif\n'
echo "PASS: platform-file rule check"
