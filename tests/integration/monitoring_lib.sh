# Helpers for the monitoring integration tests (sourced after delivery_lib.sh, not run).
# Every ring a test makes is listed in tl_rings[] and removed on exit; every process is stopped
# by pid (tests/lib/testlib.sh's cleanup, armed by delivery_lib.sh).

asimdns=$build/cli/asimdns
# The exporter refuses root unless told (tests run as root in CI).
exp_flags=()
if [ "$(id -u)" -eq 0 ] && "$build/exporter/asimdns-exporter" --help 2>&1 | grep -q -- --allow-root; then
  exp_flags=(--allow-root)
fi

new_ring() { # sets ring to a fresh unique name
  ring="it-mon-$$-$RANDOM-$1"
  tl_rings+=("$ring")
}

# check_once COMPONENT: runs `asimdns status --check`, sets chk_rc and chk_out.
check_once() {
  chk_out=$("$asimdns" status --ring "$ring" --check "$1" 2>&1) && chk_rc=0 || chk_rc=$?
}

# expect_check COMPONENT EXIT PATTERN SECONDS: polls until the verdict has that exit code and
# its one line matches PATTERN (grep -E); fails the test after SECONDS.
expect_check() {
  local comp=$1 want=$2 pat=$3 limit=$(( $4 * 10 ))
  for _ in $(seq 1 "$limit"); do
    check_once "$comp"
    if [ "$chk_rc" -eq "$want" ] && grep -Eq -- "$pat" <<<"$chk_out"; then
      [ "$(wc -l <<<"$chk_out")" -eq 1 ] || fail "status --check $comp printed more than one line: $chk_out"
      echo "  --check $comp: exit $chk_rc: $chk_out" >&2
      return 0
    fi
    sleep 0.1
  done
  fail "status --check $comp: wanted exit $want matching '$pat'; last: exit $chk_rc: $chk_out"
}

http_code() { # PORT PATH
  curl -s -o "$work/http_body" -w '%{http_code}' --max-time 5 "http://127.0.0.1:$1$2" || true
}

# expect_http PORT PATH CODE SECONDS
expect_http() {
  local code limit=$(( $4 * 10 ))
  for _ in $(seq 1 "$limit"); do
    code=$(http_code "$1" "$2")
    if [ "$code" = "$3" ]; then
      echo "  GET $2: $code $(head -c 200 "$work/http_body")" >&2
      return 0
    fi
    sleep 0.1
  done
  fail "GET $2: wanted $3, last $code $(head -c 200 "$work/http_body" 2>/dev/null)"
}

# scrape PORT FILE: fetches /metrics into FILE and checks every line of it.
scrape() {
  local code
  code=$(curl -s -o "$2" -w '%{http_code}' --max-time 5 "http://127.0.0.1:$1/metrics" || true)
  [ "$code" = 200 ] || fail "GET /metrics: $code"
  python3 "$(dirname "${BASH_SOURCE[0]}")/../prom_check.py" "$2" || fail "/metrics is not valid exposition format ($2)"
}

# metric FILE NAME LABEL=VALUE...: one sample's value from a scrape.
metric() {
  local file=$1
  shift
  python3 "$(dirname "${BASH_SOURCE[0]}")/../prom_check.py" "$file" --value "$@" || fail "no single sample $* in $file"
}

start_capture() { # LOG
  "$build/capture/asimdns-capture" -c "$work/capture.yaml" 2>>"$work/$1" &
  cap_pid=$!
  pids+=("$cap_pid")
}

start_exporter() { # LOG (replaces delivery_lib.sh's: --allow-root only when root and supported)
  "$build/exporter/asimdns-exporter" -c "$work/exporter.yaml" "${exp_flags[@]}" 2>>"$work/$1" &
  exp_pid=$!
  pids+=("$exp_pid")
}

kill_wait() { # SIGNAL PID: signals a child and reaps it (a zombie still has its pid)
  kill "-$1" "$2" 2>/dev/null || true
  wait "$2" 2>/dev/null || true
}
