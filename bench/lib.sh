# shellcheck shell=bash
# Shared by bench/run.sh and bench/ratelimit.sh (sourced, never run): prerequisites, the processes a
# benchmark starts and stops, wrk's output and the CPU accounting. Before sourcing, a script sets
# ROOT (the repository, also the working directory) and BENCH_TAG (the prefix of its messages).
# The scripts run with `set -euo pipefail` and `set -o noglob` (BENCH_JAVA_OPTS is split into
# words, never globbed).

fail() {
  printf '%s: ERROR: %s\n' "$BENCH_TAG" "$*" >&2
  exit 1
}

# --- prerequisites ------------------------------------------------------------------------------

require_tools() { # sets NGINX; wrk, nginx and curl are needed by both benchmarks
  local missing=()
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  [[ ${#missing[@]} -eq 0 ]] || fail "missing: ${missing[*]}. Install with: apt-get install ${missing[*]}"
  NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
}

require_whole_numbers() { # require_whole_numbers <message> <value>...: each value >= 1
  local message="$1" n
  shift
  for n in "$@"; do
    [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 ]] || fail "$message"
  done
}

find_java() { # sets JAVA_HOME and JAVA: $JAVA_HOME if it is a JDK >= 21, else ./concierge java-home
  if [[ -z "${JAVA_HOME:-}" ]] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA_HOME="$("$ROOT/concierge" java-home)" || fail "no JDK >= 21"
  fi
  JAVA="$JAVA_HOME/bin/java"
}

java_version() {
  "$JAVA" -version 2>&1 | head -n1 | sed 's/.*version "\([^"]*\)".*/\1/'
}

require_jars() { # require_jars <path>...
  local jar
  for jar in "$@"; do
    [[ -f "$jar" ]] || fail "$jar is missing; run ./concierge build"
  done
}

require_free_ports() { # require_free_ports <port>...: nothing may listen on them on 127.0.0.1
  local p
  for p in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      fail "port $p on 127.0.0.1 is in use (move it with BENCH_*_PORT)"
    fi
  done
}

# --- results, logs and the processes ------------------------------------------------------------

# setup_run <name prefix> <run dir prefix>: sets STAMP, RESULTS_DIR, LOG_DIR, RESULT_FILE, RUN_DIR,
# PIDS (every process started, stopped on exit) and the traps. Results go to
# bench/results/<name prefix><timestamp>.md, logs beside them in <name prefix><timestamp>-logs/.
setup_run() {
  STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
  RESULTS_DIR="$ROOT/bench/results"
  LOG_DIR="$RESULTS_DIR/$1$STAMP-logs"
  RESULT_FILE="$RESULTS_DIR/$1$STAMP.md"
  mkdir -p "$LOG_DIR"
  PIDS=()
  RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/$2.XXXXXX")"
  chmod 755 "$RUN_DIR" # nginx workers may run as another user
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

cleanup() { # TERM to every process in PIDS, KILL after 15 s, then removes RUN_DIR
  local pid deadline
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + 15))
  for pid in "${PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [[ ${#PIDS[@]} -eq 0 ]] || wait "${PIDS[@]}" 2>/dev/null || true
  rm -rf "$RUN_DIR"
}

wait_http() { # wait_http <url> <what> <pid> [timeout s, default 60]: until <url> answers 2xx
  local timeout="${4:-60}"
  local deadline=$((SECONDS + timeout))
  until curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || fail "$2 exited during start-up; see $LOG_DIR"
    [[ $SECONDS -lt $deadline ]] || fail "$2 did not answer $1 within ${timeout}s; see $LOG_DIR"
    sleep 0.3
  done
}

# start_nginx <worker_processes>: nginx from bench/nginx.conf.template (upstream on
# BENCH_UPSTREAM_PORT, reverse proxy on BENCH_PROXY_PORT), checked with `nginx -t` first. Appends
# its pid to PIDS and sets NGINX_PID; the caller waits for the ports it needs.
start_nginx() {
  mkdir -p "$RUN_DIR/nginx-extra"
  sed -e "s#@WORKERS@#$1#g" -e "s#@RUN_DIR@#$RUN_DIR#g" \
    -e "s#@UPSTREAM_PORT@#$BENCH_UPSTREAM_PORT#g" -e "s#@PROXY_PORT@#$BENCH_PROXY_PORT#g" \
    "$ROOT/bench/nginx.conf.template" >"$RUN_DIR/nginx.conf"
  "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/nginx-error.log" -t >"$LOG_DIR/nginx-test.log" 2>&1 ||
    fail "nginx rejected the generated config: $(cat "$LOG_DIR/nginx-test.log")"
  "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/nginx-error.log" >"$LOG_DIR/nginx.log" 2>&1 &
  NGINX_PID="$!"
  PIDS+=("$NGINX_PID")
}

# --- wrk's output ---------------------------------------------------------------------------------

# Converts a wrk latency ("812.00us", "1.23ms", "1.01s") to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n = n / 1000; else if (u == "s") n = n * 1000; else if (u == "m") n = n * 60000
    printf "%.3f", n }'
}

# parse_wrk <file>: sets WRK_RPS, WRK_REQUESTS, WRK_NON2XX, WRK_SOCKET_ERRORS, WRK_ERRORS (the
# two summed) and, for a run with --latency, WRK_P50 and WRK_P99 in ms (empty without). Fails
# when the file has no req/s or request count, or a latency distribution without p50/p99.
parse_wrk() {
  local out="$1" p50 p99
  WRK_RPS="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  WRK_REQUESTS="$(awk '/ requests in / {print $1}' "$out")"
  [[ "$WRK_RPS" =~ ^[0-9.]+$ && "$WRK_REQUESTS" =~ ^[0-9]+$ ]] || fail "could not read wrk's output: $out"
  WRK_NON2XX="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"
  WRK_NON2XX="${WRK_NON2XX:-0}"
  WRK_SOCKET_ERRORS="$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$out")"
  WRK_SOCKET_ERRORS="${WRK_SOCKET_ERRORS:-0}"
  WRK_ERRORS=$((WRK_NON2XX + WRK_SOCKET_ERRORS))
  WRK_P50=""
  WRK_P99=""
  if grep -q '^ *Latency Distribution' "$out"; then
    p50="$(awk '$1 == "50%" {print $2}' "$out")"
    p99="$(awk '$1 == "99%" {print $2}' "$out")"
    [[ -n "$p50" && -n "$p99" ]] || fail "could not read the latency distribution in wrk's output: $out"
    WRK_P50="$(to_ms "$p50")"
    WRK_P99="$(to_ms "$p99")"
  fi
}

# --- CPU accounting: other work on the machine distorts every figure, so measure how much there was.

CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"

cpu_busy() { # busy jiffies of all CPUs since boot
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

cpu_all() { # busy + idle jiffies of all CPUs since boot
  awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

proc_cpu() { # user + system jiffies of the given pids and their children (nginx workers)
  local p pid t total=0
  local -a pids=("$@") kids
  for p in "$@"; do
    # Without pgrep (procps), the kernel's list of the children.
    read -r -d '' -a kids < <(pgrep -P "$p" 2>/dev/null || cat "/proc/$p/task/$p/children" 2>/dev/null) || true
    pids+=("${kids[@]}")
  done
  for pid in "${pids[@]}"; do
    t="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }')" || t=0
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

children_cpu() { # sets CHILDREN_CPU: user + system jiffies of this shell's reaped children (wrk, curl)
  times >"$RUN_DIR/times" # in this shell: a subshell's `times` would not see our children
  CHILDREN_CPU="$(tail -n1 "$RUN_DIR/times" | awk -v hz="$CLK_TCK" '{
    split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * hz }')"
}

busy_percent() { # share of all CPUs busy over $1 seconds
  local b0 a0 b1 a1
  b0="$(cpu_busy)"; a0="$(cpu_all)"; sleep "$1"; b1="$(cpu_busy)"; a1="$(cpu_all)"
  awk -v b="$((b1 - b0))" -v a="$((a1 - a0))" 'BEGIN { printf "%.0f", (a > 0 ? 100 * b / a : 0) }'
}

other_cpu_percent() { # other_cpu_percent <busy jiffies> <our jiffies> <all jiffies>: the rest, in %
  awk -v b="$1" -v o="$2" -v a="$3" 'BEGIN { x = a > 0 ? 100 * (b - o) / a : 0; if (x < 0) x = 0; printf "%.0f", x }'
}

machine_description() { # "2 CPU (<model>), 8 GiB, kernel <release>"
  local cpu
  cpu="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)"
  echo "$(nproc) CPU ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
}

per_request_us() { # per_request_us <jiffies> <req/s> <seconds>: CPU microseconds per request
  awk -v j="$1" -v hz="$CLK_TCK" -v rps="$2" -v d="$3" \
    'BEGIN { n = rps * d; if (n > 0) printf "%.1f", j * 1000000 / hz / n; else print "n/a" }'
}

base64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

hs256_token() { # hs256_token <issuer> <subject> <secret> <lifetime s>: a signed HS256 JWT
  local now header payload
  now="$(date +%s)"
  header="$(printf '{"alg":"HS256","typ":"JWT"}' | base64url)"
  payload="$(printf '{"iss":"%s","sub":"%s","iat":%d,"exp":%d}' "$1" "$2" "$now" "$((now + $4))" | base64url)"
  printf '%s.%s.%s' "$header" "$payload" \
    "$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$3" -binary | base64url)"
}

rss_mb() { # rss_mb <pid>...: resident memory of the given processes, in MB
  local pid kb total=0
  for pid in "$@"; do
    kb="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" || kb=0
    total=$((total + ${kb:-0}))
  done
  echo $((total / 1024))
}
