#!/usr/bin/env bash
# Concierge's benchmark (./concierge bench): one run measures, with wrk, against the same upstream
#
#   direct        wrk -> upstream (nginx returning a fixed 100-byte response)
#   nginx         wrk -> nginx reverse proxy (upstream keep-alive) -> upstream   the reference
#   gateway       wrk -> one microgateway (bench/gateway.yaml) -> upstream
#   edge+gateway  wrk -> edge router (bench/edge.yaml) -> microgateway -> upstream
#
# and, only when BENCH_ROWS names them (docs/grpc.md), against the demo product service:
#
#   rest-grpc     wrk -> microgateway (bench/grpc-gateway.yaml) -> gRPC GetProduct (REST->gRPC)
#   rest-http     wrk -> the same microgateway -> the same product over the service's HTTP API
#
# and prints req/s, p50 and p99 of each with its ratio to the nginx row. Every row is warmed up
# first. Results go to bench/results/<timestamp>.md. Installs nothing: needs wrk, nginx and curl.
#
# Environment (all optional):
#   BENCH_WARMUP=10      seconds of warm-up per row
#   BENCH_DURATION=20    seconds measured per row
#   BENCH_THREADS=2 BENCH_CONNECTIONS=64    wrk -t / -c
#   BENCH_NGINX_WORKERS=auto
#   BENCH_ROWS="direct nginx gateway edge+gateway"   which rows to measure (nginx is required);
#                        add "rest-grpc rest-http" for the REST->gRPC comparison (needs the products jar)
#   BENCH_GRPC_GATEWAY_PORT=18085 BENCH_GRPC_GATEWAY_ADMIN_PORT=18095
#   BENCH_PRODUCT_PORT=18086 BENCH_PRODUCT_GRPC_PORT=18087    (the REST->gRPC rows only)
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
export BENCH_GRPC_GATEWAY_PORT="${BENCH_GRPC_GATEWAY_PORT:-18085}"
export BENCH_GRPC_GATEWAY_ADMIN_PORT="${BENCH_GRPC_GATEWAY_ADMIN_PORT:-18095}"
export BENCH_PRODUCT_PORT="${BENCH_PRODUCT_PORT:-18086}"
export BENCH_PRODUCT_GRPC_PORT="${BENCH_PRODUCT_GRPC_PORT:-18087}"
JAVA_OPTS="${BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx256m -Djava.net.preferIPv4Stack=true}"
PATH_UNDER_TEST="/bench/item"
# The REST->gRPC rows run only when asked for: they need the demo product service.
GRPC_ROWS=false
[[ " ${BENCH_ROWS:-} " == *" rest-grpc "* || " ${BENCH_ROWS:-} " == *" rest-http "* ]] && GRPC_ROWS=true

BENCH_TAG="bench"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# --- prerequisites ----------------------------------------------------------------------------

require_tools
require_whole_numbers "BENCH_WARMUP, BENCH_DURATION, BENCH_THREADS, BENCH_CONNECTIONS must be whole numbers >= 1" \
  "$WARMUP" "$DURATION" "$THREADS" "$CONNECTIONS"
find_java
require_jars microgateway/target/microgateway.jar edge-router/target/edge-router.jar
require_free_ports "$BENCH_UPSTREAM_PORT" "$BENCH_PROXY_PORT" "$BENCH_GATEWAY_PORT" "$BENCH_EDGE_PORT" \
  "$BENCH_GATEWAY_ADMIN_PORT" "$BENCH_EDGE_ADMIN_PORT"
if $GRPC_ROWS; then
  require_jars domains/products/target/products-service.jar
  require_free_ports "$BENCH_GRPC_GATEWAY_PORT" "$BENCH_GRPC_GATEWAY_ADMIN_PORT" "$BENCH_PRODUCT_PORT" \
    "$BENCH_PRODUCT_GRPC_PORT"
fi

# --- processes ----------------------------------------------------------------------------------

setup_run "" concierge-bench
start_nginx "$NGINX_WORKERS"
wait_http "http://127.0.0.1:$BENCH_UPSTREAM_PORT$PATH_UNDER_TEST" "nginx (upstream)" "$NGINX_PID"
wait_http "http://127.0.0.1:$BENCH_PROXY_PORT$PATH_UNDER_TEST" "nginx (proxy)" "$NGINX_PID"

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

GRPC_GATEWAY_PID=""
if $GRPC_ROWS; then
  # shellcheck disable=SC2086
  PRODUCT_SERVICE_PORT="$BENCH_PRODUCT_PORT" PRODUCT_GRPC_PORT="$BENCH_PRODUCT_GRPC_PORT" \
    "$JAVA" $JAVA_OPTS -jar domains/products/target/products-service.jar >"$LOG_DIR/product-service.log" 2>&1 &
  PIDS+=("$!")
  wait_http "http://127.0.0.1:$BENCH_PRODUCT_PORT/api/products/p1" "the product service" "${PIDS[-1]}"
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS -jar microgateway/target/microgateway.jar run bench/grpc-gateway.yaml \
    >"$LOG_DIR/grpc-gateway.log" 2>&1 &
  PIDS+=("$!")
  GRPC_GATEWAY_PID="$!"
  wait_http "http://127.0.0.1:$BENCH_GRPC_GATEWAY_PORT/api/catalog/p1" "the REST->gRPC gateway" "${PIDS[-1]}"
fi

# Every row must return the upstream's body, or we would be measuring an error page.
EXPECTED="$(curl -fsS "http://127.0.0.1:$BENCH_UPSTREAM_PORT$PATH_UNDER_TEST")"
for port in "$BENCH_PROXY_PORT" "$BENCH_GATEWAY_PORT" "$BENCH_EDGE_PORT"; do
  got="$(curl -fsS "http://127.0.0.1:$port$PATH_UNDER_TEST")" || fail "port $port does not answer 200"
  [[ "$got" == "$EXPECTED" ]] || fail "port $port answers '$got' instead of the upstream's body"
done

# --- measuring ----------------------------------------------------------------------------------

read -r -a ROWS <<<"${BENCH_ROWS:-direct nginx gateway edge+gateway}"
for row in "${ROWS[@]}"; do
  case "$row" in direct | nginx | gateway | edge+gateway | rest-grpc | rest-http) ;;
    *) fail "unknown row '$row' in BENCH_ROWS" ;; esac
done
[[ " ${ROWS[*]} " == *" nginx "* ]] || fail "BENCH_ROWS must include nginx, the reference of every ratio"
declare -A PORT=([direct]="$BENCH_UPSTREAM_PORT" [nginx]="$BENCH_PROXY_PORT"
  [gateway]="$BENCH_GATEWAY_PORT" [edge+gateway]="$BENCH_EDGE_PORT"
  [rest-grpc]="$BENCH_GRPC_GATEWAY_PORT" [rest-http]="$BENCH_GRPC_GATEWAY_PORT")
# The REST->gRPC rows ask the product service for the same product, transcoded or proxied.
declare -A ROW_PATH=([rest-grpc]="/api/catalog/p1" [rest-http]="/api/products/p1")
declare -A RPS P50 P99 ERRORS OTHER CPU_US

BUSY_BEFORE="$(busy_percent 3)"
if [[ "$BUSY_BEFORE" -gt 20 ]]; then
  echo "bench: WARNING: the CPUs were ${BUSY_BEFORE}% busy before the run; other processes will distort the figures"
fi

echo "bench: wrk -t$THREADS -c$CONNECTIONS, warm-up ${WARMUP}s + ${DURATION}s measured per row (logs: ${LOG_DIR#"$ROOT"/})"
for row in "${ROWS[@]}"; do
  url="http://127.0.0.1:${PORT[$row]}${ROW_PATH[$row]:-$PATH_UNDER_TEST}"
  echo "bench: $row ($url): warming up"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" >"$LOG_DIR/wrk-$row-warmup.txt" 2>&1 ||
    fail "wrk failed on $row: $(tail -n 3 "$LOG_DIR/wrk-$row-warmup.txt")"
  echo "bench: $row: measuring"
  out="$LOG_DIR/wrk-$row.txt"
  # The JVMs a row goes through: their CPU per request is steadier than req/s on a shared machine.
  case "$row" in
    gateway) jvms=("$GATEWAY_PID") ;;
    edge+gateway) jvms=("$EDGE_PID" "$GATEWAY_PID") ;;
    rest-grpc | rest-http) jvms=("$GRPC_GATEWAY_PID") ;;
    *) jvms=() ;;
  esac
  jvm0=0; [[ ${#jvms[@]} -eq 0 ]] || jvm0="$(proc_cpu "${jvms[@]}")"
  children_cpu; busy0="$(cpu_busy)"; all0="$(cpu_all)"; ours0=$(( $(proc_cpu "${PIDS[@]}") + CHILDREN_CPU ))
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" >"$out" 2>&1 ||
    fail "wrk failed on $row: $(tail -n 3 "$out")"
  children_cpu; busy1="$(cpu_busy)"; all1="$(cpu_all)"; ours1=$(( $(proc_cpu "${PIDS[@]}") + CHILDREN_CPU ))
  jvm1=0; [[ ${#jvms[@]} -eq 0 ]] || jvm1="$(proc_cpu "${jvms[@]}")"
  # CPU used by processes other than wrk, nginx, the gateway and the edge, as a share of all CPUs.
  OTHER[$row]="$(other_cpu_percent "$((busy1 - busy0))" "$((ours1 - ours0))" "$((all1 - all0))")"
  parse_wrk "$out"
  RPS[$row]="$WRK_RPS"
  P50[$row]="$WRK_P50"
  P99[$row]="$WRK_P99"
  ERRORS[$row]="$WRK_ERRORS"
  CPU_US[$row]="-"
  if [[ ${#jvms[@]} -gt 0 ]]; then
    CPU_US[$row]="$(awk -v j="$((jvm1 - jvm0))" -v hz="$CLK_TCK" -v rps="${RPS[$row]}" -v d="$DURATION" \
      'BEGIN { n = rps * d; if (n > 0) printf "%.1f", j * 1000000 / hz / n; else print "n/a" }')"
  fi
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

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
  echo "- machine: $(machine_description)"
  echo "- tools: $(wrk -v 2>&1 | head -n1 | awk '{print $1, $2}'), $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), Java $(java_version) ($JAVA_HOME)"
  echo "- load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency after ${WARMUP}s warm-up, GET $PATH_UNDER_TEST, 100-byte response"
  echo "- CPUs busy in the 3 s before the run: ${BUSY_BEFORE}%; *other CPU* is the share of all CPUs used during a row by processes other than wrk, nginx, the gateway and the edge (0% on a quiet machine)"
  echo "- nginx worker_processes $NGINX_WORKERS; gateway and edge JVM flags: $JAVA_OPTS"
  echo "- *JVM CPU µs/req*: user + system CPU of the row's JVMs (gateway; edge and gateway) per request, GC and JIT included"
  if $GRPC_ROWS; then
    echo "- rest-grpc / rest-http: GET /api/catalog/p1 (REST->gRPC GetProduct) / GET /api/products/p1 (HTTP) through one gateway (bench/grpc-gateway.yaml) to the demo product service (a JVM, not nginx: compare these two rows with each other); JVM CPU is the gateway's"
  fi
  echo
  echo "$table"
  echo
  echo "Target (one gateway hop >= 0.5x nginx req/s, p99 <= 3x nginx): $verdict"
} >"$RESULT_FILE"

echo
cat "$RESULT_FILE"
echo
echo "bench: written to ${RESULT_FILE#"$ROOT"/}"
