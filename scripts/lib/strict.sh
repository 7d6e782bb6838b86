# shellcheck shell=bash
# Sourced first by every script in scripts/ and bench/: strict mode, and no silent exit.
#
# With `set -e` alone a failing command ends a script with its exit status and nothing else
# (apt-cache's 100, say). The ERR trap below names the script, the line, the function stack and
# the command, and for a pipeline the status of each of its parts, so every unexpected exit says
# what failed. errtrace (-E) carries the trap into functions and command substitutions, so a
# failure deep inside `x=$(f)` is reported where it happened and again where it surfaced.
# inherit_errexit makes `set -e` hold inside command substitutions too (bash leaves it off
# there by default, so `x=$(a; b)` would go on after a failing `a`).
set -Eeuo pipefail
shopt -s inherit_errexit

asimdns_script_name=${0##*/}

asimdns_on_error() {
  local rc=$1 pipe=$2 line=$3 cmd=$4 where=""
  # FUNCNAME[0] is this handler; the rest is the stack of the failing command.
  if [ "${#FUNCNAME[@]}" -gt 2 ]; then where=" in ${FUNCNAME[*]:1:${#FUNCNAME[@]}-2}"; fi
  if [ "$pipe" != "$rc" ]; then pipe=" (pipeline statuses: $pipe)"; else pipe=""; fi
  printf '%s: line %s%s: command failed with exit status %s%s: %s\n' \
    "$asimdns_script_name" "$line" "$where" "$rc" "$pipe" "$cmd" >&2
}
trap 'asimdns_on_error "$?" "${PIPESTATUS[*]}" "$LINENO" "$BASH_COMMAND"' ERR

# fail MESSAGE...: the script's own diagnosis of a failure it detected itself.
die() {
  echo "$asimdns_script_name: $*" >&2
  exit 1
}
