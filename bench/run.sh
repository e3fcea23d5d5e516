#!/usr/bin/env bash
# Concierge's benchmark (./concierge bench): one run measures, with wrk, against the same upstream
#
#   direct        wrk -> upstream (nginx returning a fixed 100-byte response)
#   nginx         wrk -> nginx reverse proxy (upstream keep-alive) -> upstream   the reference
#   gateway       wrk -> one microgateway (bench/gateway.yaml) -> upstream
#   edge+gateway  wrk -> edge router (bench/edge.yaml) -> microgateway -> upstream
#
# and prints req/s, p50 and p99 of each with its ratio to the nginx row. Every row is warmed up
# first. Results go to bench/results/<timestamp>.md. Installs nothing: needs wrk, nginx and curl.
#
# Environment (all optional):
#   BENCH_WARMUP=10      seconds of warm-up per row
#   BENCH_DURATION=20    seconds measured per row
#   BENCH_THREADS=2 BENCH_CONNECTIONS=64    wrk -t / -c
#   BENCH_NGINX_WORKERS=auto
#   BENCH_ROWS="direct nginx gateway edge+gateway"   which rows to measure (nginx is required)
#   BENCH_UPSTREAM_PORT=18081 BENCH_PROXY_PORT=18082 BENCH_GATEWAY_PORT=18083
#   BENCH_EDGE_PORT=18084 BENCH_GATEWAY_ADMIN_PORT=18093 BENCH_EDGE_ADMIN_PORT=18094
#   BENCH_JAVA_OPTS      JVM flags of the gateway and the edge
set -euo pipefail
set -o noglob # BENCH_JAVA_OPTS is split into words, never globbed

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WARMUP="${BENCH_WARMUP:-10}"
DURATION="${BENCH_DURATION:-20}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
NGINX_WORKERS="${BENCH_NGINX_WORKERS:-auto}"
export BENCH_UPSTREAM_PORT="${BENCH_UPSTREAM_PORT:-18081}"
export BENCH_PROXY_PORT="${BENCH_PROXY_PORT:-18082}"
export BENCH_GATEWAY_PORT="${BENCH_GATEWAY_PORT:-18083}"
export BENCH_EDGE_PORT="${BENCH_EDGE_PORT:-18084}"
export BENCH_GATEWAY_ADMIN_PORT="${BENCH_GATEWAY_ADMIN_PORT:-18093}"
export BENCH_EDGE_ADMIN_PORT="${BENCH_EDGE_ADMIN_PORT:-18094}"
JAVA_OPTS="${BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx256m -Djava.net.preferIPv4Stack=true}"
PATH_UNDER_TEST="/bench/item"

fail() {
  printf 'bench: ERROR: %s\n' "$*" >&2
  exit 1
}

# --- prerequisites ----------------------------------------------------------------------------

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [[ ${#missing[@]} -gt 0 ]]; then
  fail "missing: ${missing[*]}. Install with: apt-get install ${missing[*]}"
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
for n in "$WARMUP" "$DURATION" "$THREADS" "$CONNECTIONS"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 ]] || fail "BENCH_WARMUP, BENCH_DURATION, BENCH_THREADS, BENCH_CONNECTIONS must be whole numbers >= 1"
done

if [[ -z "${JAVA_HOME:-}" ]] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
  JAVA_HOME="$("$ROOT/concierge" java-home)" || fail "no JDK >= 21"
fi
JAVA="$JAVA_HOME/bin/java"
for jar in microgateway/target/microgateway.jar edge-router/target/edge-router.jar; do
  [[ -f "$jar" ]] || fail "$jar is missing; run ./concierge build"
done

port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
for p in "$BENCH_UPSTREAM_PORT" "$BENCH_PROXY_PORT" "$BENCH_GATEWAY_PORT" "$BENCH_EDGE_PORT" \
  "$BENCH_GATEWAY_ADMIN_PORT" "$BENCH_EDGE_ADMIN_PORT"; do
  port_taken "$p" && fail "port $p on 127.0.0.1 is in use (move it with BENCH_*_PORT)"
done

# --- processes ----------------------------------------------------------------------------------

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS_DIR="$ROOT/bench/results"
LOG_DIR="$RESULTS_DIR/$STAMP-logs"
RESULT_FILE="$RESULTS_DIR/$STAMP.md"
mkdir -p "$LOG_DIR"
RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/concierge-bench.XXXXXX")"
chmod 755 "$RUN_DIR" # nginx workers may run as another user

PIDS=()
cleanup() {
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
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_http() { # wait_http <url> <what> <pid>
  local deadline=$((SECONDS + 60))
  until curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || fail "$2 exited during start-up; see $LOG_DIR"
    [[ $SECONDS -lt $deadline ]] || fail "$2 did not answer $1 within 60s; see $LOG_DIR"
    sleep 0.3
  done
}

sed -e "s#@WORKERS@#$NGINX_WORKERS#g" -e "s#@RUN_DIR@#$RUN_DIR#g" \
  -e "s#@UPSTREAM_PORT@#$BENCH_UPSTREAM_PORT#g" -e "s#@PROXY_PORT@#$BENCH_PROXY_PORT#g" \
  bench/nginx.conf.template >"$RUN_DIR/nginx.conf"
"$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/nginx-error.log" -t >"$LOG_DIR/nginx-test.log" 2>&1 ||
  fail "nginx rejected the generated config: $(cat "$LOG_DIR/nginx-test.log")"
"$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/nginx-error.log" >"$LOG_DIR/nginx.log" 2>&1 &
PIDS+=("$!")
wait_http "http://127.0.0.1:$BENCH_UPSTREAM_PORT$PATH_UNDER_TEST" "nginx (upstream)" "${PIDS[-1]}"
wait_http "http://127.0.0.1:$BENCH_PROXY_PORT$PATH_UNDER_TEST" "nginx (proxy)" "${PIDS[-1]}"

# shellcheck disable=SC2086 # JAVA_OPTS is a word list
"$JAVA" $JAVA_OPTS -jar microgateway/target/microgateway.jar run bench/gateway.yaml >"$LOG_DIR/gateway.log" 2>&1 &
PIDS+=("$!")
GATEWAY_PID="$!"
wait_http "http://127.0.0.1:$BENCH_GATEWAY_PORT$PATH_UNDER_TEST" "the gateway" "${PIDS[-1]}"

# shellcheck disable=SC2086
"$JAVA" $JAVA_OPTS -jar edge-router/target/edge-router.jar run bench/edge.yaml >"$LOG_DIR/edge.log" 2>&1 &
PIDS+=("$!")
EDGE_PID="$!"
wait_http "http://127.0.0.1:$BENCH_EDGE_PORT$PATH_UNDER_TEST" "the edge" "${PIDS[-1]}"

# Every row must return the upstream's body, or we would be measuring an error page.
EXPECTED="$(curl -fsS "http://127.0.0.1:$BENCH_UPSTREAM_PORT$PATH_UNDER_TEST")"
for port in "$BENCH_PROXY_PORT" "$BENCH_GATEWAY_PORT" "$BENCH_EDGE_PORT"; do
  got="$(curl -fsS "http://127.0.0.1:$port$PATH_UNDER_TEST")" || fail "port $port does not answer 200"
  [[ "$got" == "$EXPECTED" ]] || fail "port $port answers '$got' instead of the upstream's body"
done

# --- measuring ----------------------------------------------------------------------------------

# Converts a wrk latency ("812.00us", "1.23ms", "1.01s") to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n = n / 1000; else if (u == "s") n = n * 1000; else if (u == "m") n = n * 60000
    printf "%.3f", n }'
}

read -r -a ROWS <<<"${BENCH_ROWS:-direct nginx gateway edge+gateway}"
for row in "${ROWS[@]}"; do
  case "$row" in direct | nginx | gateway | edge+gateway) ;; *) fail "unknown row '$row' in BENCH_ROWS" ;; esac
done
[[ " ${ROWS[*]} " == *" nginx "* ]] || fail "BENCH_ROWS must include nginx, the reference of every ratio"
declare -A PORT=([direct]="$BENCH_UPSTREAM_PORT" [nginx]="$BENCH_PROXY_PORT"
  [gateway]="$BENCH_GATEWAY_PORT" [edge+gateway]="$BENCH_EDGE_PORT")
declare -A RPS P50 P99 ERRORS OTHER CPU_US

# --- CPU accounting: other work on the machine distorts every row, so measure how much there was.

CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"
NCPU="$(nproc)"
cpu_busy() { # busy jiffies of all CPUs since boot
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
cpu_all() { # busy + idle jiffies of all CPUs since boot
  awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}
proc_cpu() { # user + system jiffies of the given pids and their children (nginx workers)
  local pid total=0 t
  for pid in "$@" $(for p in "$@"; do pgrep -P "$p" 2>/dev/null || cat "/proc/$p/task/$p/children" 2>/dev/null; done); do
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

BUSY_BEFORE="$(busy_percent 3)"
if [[ "$BUSY_BEFORE" -gt 20 ]]; then
  echo "bench: WARNING: the CPUs were ${BUSY_BEFORE}% busy before the run; other processes will distort the figures"
fi

echo "bench: wrk -t$THREADS -c$CONNECTIONS, warm-up ${WARMUP}s + ${DURATION}s measured per row (logs: ${LOG_DIR#"$ROOT"/})"
for row in "${ROWS[@]}"; do
  url="http://127.0.0.1:${PORT[$row]}$PATH_UNDER_TEST"
  echo "bench: $row ($url): warming up"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" >"$LOG_DIR/wrk-$row-warmup.txt" 2>&1 ||
    fail "wrk failed on $row: $(tail -n 3 "$LOG_DIR/wrk-$row-warmup.txt")"
  echo "bench: $row: measuring"
  out="$LOG_DIR/wrk-$row.txt"
  # The JVMs a row goes through: their CPU per request is steadier than req/s on a shared machine.
  case "$row" in
    gateway) jvms=("$GATEWAY_PID") ;;
    edge+gateway) jvms=("$EDGE_PID" "$GATEWAY_PID") ;;
    *) jvms=() ;;
  esac
  jvm0=0; [[ ${#jvms[@]} -eq 0 ]] || jvm0="$(proc_cpu "${jvms[@]}")"
  children_cpu; busy0="$(cpu_busy)"; all0="$(cpu_all)"; ours0=$(( $(proc_cpu "${PIDS[@]}") + CHILDREN_CPU ))
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" >"$out" 2>&1 ||
    fail "wrk failed on $row: $(tail -n 3 "$out")"
  children_cpu; busy1="$(cpu_busy)"; all1="$(cpu_all)"; ours1=$(( $(proc_cpu "${PIDS[@]}") + CHILDREN_CPU ))
  jvm1=0; [[ ${#jvms[@]} -eq 0 ]] || jvm1="$(proc_cpu "${jvms[@]}")"
  # CPU used by processes other than wrk, nginx, the gateway and the edge, as a share of all CPUs.
  OTHER[$row]="$(awk -v b="$((busy1 - busy0))" -v o="$((ours1 - ours0))" -v a="$((all1 - all0))" \
    'BEGIN { x = a > 0 ? 100 * (b - o) / a : 0; if (x < 0) x = 0; printf "%.0f", x }')"
  RPS[$row]="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  P50[$row]="$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")"
  P99[$row]="$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"
  sock="$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$out")"
  ERRORS[$row]=$((${non2xx:-0} + ${sock:-0}))
  [[ -n "${RPS[$row]}" ]] || fail "could not read wrk's output for $row: $out"
  CPU_US[$row]="-"
  if [[ ${#jvms[@]} -gt 0 ]]; then
    CPU_US[$row]="$(awk -v j="$((jvm1 - jvm0))" -v hz="$CLK_TCK" -v rps="${RPS[$row]}" -v d="$DURATION" \
      'BEGIN { n = rps * d; if (n > 0) printf "%.1f", j * 1000000 / hz / n; else print "n/a" }')"
  fi
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

cpu="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)"
table="$(
  echo "| row | req/s | p50 ms | p99 ms | req/s vs nginx | p99 vs nginx | errors | other CPU | JVM CPU µs/req |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for row in "${ROWS[@]}"; do
    printf '| %s | %.0f | %.2f | %.2f | %sx | %sx | %s | %s%% | %s |\n' "$row" "${RPS[$row]}" "${P50[$row]}" "${P99[$row]}" \
      "$(ratio "${RPS[$row]}" "${RPS[nginx]}")" "$(ratio "${P99[$row]}" "${P99[nginx]}")" "${ERRORS[$row]}" "${OTHER[$row]}" \
      "${CPU_US[$row]}"
  done
)"
if [[ -n "${RPS[gateway]:-}" ]]; then
  gw_rps="$(ratio "${RPS[gateway]}" "${RPS[nginx]}")"
  gw_p99="$(ratio "${P99[gateway]}" "${P99[nginx]}")"
  verdict="$(awk -v r="$gw_rps" -v p="$gw_p99" 'BEGIN {
    if (r >= 0.5 && p <= 3) print "met"; else print "NOT met" }')"
  verdict="$verdict (req/s ${gw_rps}x, p99 ${gw_p99}x)."
else
  verdict="not measured (no gateway row)."
fi

{
  echo "# Benchmark $STAMP"
  echo
  echo "- machine: $(nproc) CPU ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
  echo "- tools: $(wrk -v 2>&1 | head -n1 | awk '{print $1, $2}'), $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), Java $("$JAVA" -version 2>&1 | head -n1 | sed 's/.*version "\([^"]*\)".*/\1/') ($JAVA_HOME)"
  echo "- load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency after ${WARMUP}s warm-up, GET $PATH_UNDER_TEST, 100-byte response"
  echo "- CPUs busy in the 3 s before the run: ${BUSY_BEFORE}%; *other CPU* is the share of all CPUs used during a row by processes other than wrk, nginx, the gateway and the edge (0% on a quiet machine)"
  echo "- nginx worker_processes $NGINX_WORKERS; gateway and edge JVM flags: $JAVA_OPTS"
  echo "- *JVM CPU µs/req*: user + system CPU of the row's JVMs (gateway; edge and gateway) per request, GC and JIT included"
  echo
  echo "$table"
  echo
  echo "Target (one gateway hop >= 0.5x nginx req/s, p99 <= 3x nginx): $verdict"
} >"$RESULT_FILE"

echo
cat "$RESULT_FILE"
echo
echo "bench: written to ${RESULT_FILE#"$ROOT"/}"
