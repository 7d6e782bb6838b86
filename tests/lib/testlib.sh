# shellcheck shell=bash
# Shared helpers for the shell tests (tests/integration, tests/windows, bench) - sourced, not run:
#   source "$(dirname "$0")/../lib/testlib.sh"
#
# tl_start BUILD_DIR [MKTEMP_ARGS...] makes the temp work dir ($work) and arms the EXIT trap.
# On exit every pid in pids[] is stopped (SIGTERM, then reaped), the functions in
# tl_exit_hooks[] run, every ring in tl_rings[] is removed (with BUILD_DIR/cli/asimdns;
# BUILD_DIR may be "" when there are no rings), and $work is removed (kept when KEEP_WORK is set).
# Helpers that fail call fail(): the default one below prints "FAIL: ..." (or "FAIL (TAG): ..."
# with TL_FAIL_TAG set) and the last TL_FAIL_TAIL (30) lines of every $work/*.log, and exits 1.
# A script may define its own fail() after sourcing this file.

pids=()
tl_rings=()
tl_exit_hooks=()
tl_cli=
work=

tl_start() {
  tl_cli=${1:+$1/cli/asimdns}
  shift
  work=$(mktemp -d "$@")
  trap tl_cleanup EXIT
}

tl_cleanup() {
  local p r h
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for h in "${tl_exit_hooks[@]}"; do "$h" || true; done
  if [ -n "$tl_cli" ]; then
    for r in "${tl_rings[@]}"; do "$tl_cli" remove-ring --ring "$r" >/dev/null 2>&1 || true; done
  fi
  if [ -n "$work" ]; then
    if [ -n "${KEEP_WORK:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
  fi
}

fail() {
  echo "FAIL${TL_FAIL_TAG:+ ($TL_FAIL_TAG)}: $*" >&2
  local f
  for f in "$work"/*.log; do
    [ -f "$f" ] && { echo "--- $f (last ${TL_FAIL_TAIL:-30} lines)" >&2; tail -n "${TL_FAIL_TAIL:-30}" "$f" >&2; }
  done
  exit 1
}

# wait_until SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds; false once SECONDS
# have passed (by the clock: COMMAND itself may take a while).
wait_until() {
  local end=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.1
  done
}

alive() { kill -0 "$1" 2>/dev/null; }
stopped() { ! alive "$1"; }

# wait_exit PID SECONDS [WHAT]: waits for a child to end (its exit status is returned); fails the
# test ("WHAT still running after SECONDS s", WHAT defaults to "process PID") when it does not.
wait_exit() {
  local pid=$1 limit=$(($2 * 10))
  for _ in $(seq 1 "$limit"); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && fail "${3:-process $pid} still running after $2 s"
  wait "$pid"
}

# free_port: a TCP port on 127.0.0.1 nobody listens on right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# make_tls_cert DIR NAME CN [SAN]: a self-signed P-256 certificate DIR/NAME.pem with its key
# DIR/NAME.key (valid 2 days); fails the test when openssl cannot make it.
make_tls_cert() {
  local ext=()
  [ -n "${4:-}" ] && ext=(-addext "subjectAltName=$4")
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$1/$2.key" -out "$1/$2.pem" -subj "/CN=$3" "${ext[@]}" 2>/dev/null \
    || fail "openssl could not make $2"
}

# status_counter RING NAME [capture]: a counter from `asimdns status --json` (empty when absent):
# the exporter's (the last one of that name), or with "capture" the capture's (the first one).
status_counter() {
  local json pick="tail"
  [ "${3:-}" = capture ] && pick="head"
  json=$("$tl_cli" status --ring "$1" --json 2>/dev/null || true)
  grep -o "\"$2\":[0-9]*" <<<"$json" | "$pick" -n 1 | cut -d: -f2
}

# write_synthetic_capture FILE RING SIZE SEED RATE COUNT: a capture config with the synthetic
# source (both directions) writing into RING of SIZE.
write_synthetic_capture() {
  cat >"$1" <<YAML
source:
  type: synthetic
  synthetic: {seed: $4, rate: $5, count: $6, mix: both}
ring: {name: $2, size: $3}
YAML
}

# unbound_auth_zone ZONE FILE: the unbound.conf section that serves ZONE from FILE itself.
unbound_auth_zone() {
  cat <<EOF
auth-zone:
    name: "$1."
    zonefile: "$2"
    for-downstream: yes
    for-upstream: yes
    fallback-enabled: no
EOF
}
