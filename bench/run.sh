#!/usr/bin/env bash
# Concierge's benchmark (./concierge bench): one run measures, with wrk, against the same upstream
#
#   direct        wrk -> upstream (nginx returning a fixed 100-byte response)
#   nginx         wrk -> nginx reverse proxy (upstream keep-alive) -> upstream   the reference
#   gateway       wrk -> one microgateway (bench/gateway.yaml) -> upstream
#   edge+gateway  wrk -> edge router (bench/edge.yaml) -> microgateway -> upstream
#   nginx-cache   wrk -> nginx with proxy_cache (bench/nginx-cache.conf.template): every request a hit   (opt-in)
#   cache         wrk -> one microgateway with the shared cache (bench/cache-gateway.yaml): a hit   (opt-in)
#   full          wrk -> one microgateway running the full policy chain (bench/full-gateway.yaml: HS256
#                 JWT on every request, a fast-mode rate limit per consumer, access log on) -> upstream
#
# and, opt-in through BENCH_ROWS (not measured by default), the cost of a JSON response
# transformation on a 2 KiB body (docs/transformation.md):
#   gateway-json       wrk -> microgateway -> upstream, GET /bench/json (2 KiB JSON, untouched)
#   gateway-transform  wrk -> microgateway, transforming that body -> upstream, GET /bench/transform/json
#   e.g. BENCH_ROWS="nginx gateway-json gateway-transform" ./concierge bench
#
# and, opt-in through BENCH_ROWS, the cost of TLS to the upstream (docs/operations.md#upstream-tls):
#   nginx-https    wrk -> nginx reverse proxy -> HTTPS upstream (nginx, pooled verified TLS)   the reference
#   gateway-https  wrk -> microgateway (bench/https-gateway.yaml) -> the same HTTPS upstream
#   e.g. BENCH_ROWS="nginx gateway nginx-https gateway-https" ./concierge bench   (needs openssl)
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
#   BENCH_ROWS="direct nginx gateway full edge+gateway"   which rows to measure (nginx is required);
#                        add nginx-cache and cache for the response cache's hit path,
#                        gateway-json and gateway-transform for a JSON transformation's cost
#   BENCH_NGINX_CACHE_PORT=18086 BENCH_CACHE_GATEWAY_PORT=18085 BENCH_CACHE_GATEWAY_ADMIN_PORT=18095
#   BENCH_CACHE_CLUSTER_PORT=18400 (the cache gateway's one-member Hazelcast cluster, ports 18400-18404)
#                        add "rest-grpc rest-http" for the REST->gRPC comparison (needs the products jar)
#   BENCH_HTTPS_UPSTREAM_PORT=18091 BENCH_HTTPS_PROXY_PORT=18092 BENCH_HTTPS_GATEWAY_PORT=18096
#   BENCH_HTTPS_GATEWAY_ADMIN_PORT=18099   (the HTTPS rows only)
#   BENCH_GRPC_GATEWAY_PORT=18088 BENCH_GRPC_GATEWAY_ADMIN_PORT=18098
#   BENCH_PRODUCT_PORT=18089 BENCH_PRODUCT_GRPC_PORT=18090    (the REST->gRPC rows only)
#   BENCH_UPSTREAM_PORT=18081 BENCH_PROXY_PORT=18082 BENCH_GATEWAY_PORT=18083
#   BENCH_EDGE_PORT=18084 BENCH_GATEWAY_ADMIN_PORT=18093 BENCH_EDGE_ADMIN_PORT=18094
#   BENCH_FULL_GATEWAY_PORT=18087 BENCH_FULL_GATEWAY_ADMIN_PORT=18097
#   BENCH_FULL_CLUSTER_PORT=18410 (the full-chain gateway's one-member cluster, ports 18410-18414)
#   BENCH_JAVA_OPTS      JVM flags of the gateway and the edge
# Issue 19's second load shape: BENCH_THREADS=1 BENCH_CONNECTIONS=32.
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
export BENCH_NGINX_CACHE_PORT="${BENCH_NGINX_CACHE_PORT:-18086}"
export BENCH_CACHE_GATEWAY_PORT="${BENCH_CACHE_GATEWAY_PORT:-18085}"
export BENCH_CACHE_GATEWAY_ADMIN_PORT="${BENCH_CACHE_GATEWAY_ADMIN_PORT:-18095}"
export BENCH_CACHE_CLUSTER_PORT="${BENCH_CACHE_CLUSTER_PORT:-18400}"
export BENCH_CACHE_CLUSTER_SUFFIX="$$"
export BENCH_FULL_GATEWAY_PORT="${BENCH_FULL_GATEWAY_PORT:-18087}"
export BENCH_FULL_GATEWAY_ADMIN_PORT="${BENCH_FULL_GATEWAY_ADMIN_PORT:-18097}"
export BENCH_FULL_CLUSTER_PORT="${BENCH_FULL_CLUSTER_PORT:-18410}"
export BENCH_FULL_CLUSTER_SUFFIX="$$"
export BENCH_JWT_SECRET="bench-secret-$$-0123456789abcdef-0123456789"
export BENCH_HTTPS_UPSTREAM_PORT="${BENCH_HTTPS_UPSTREAM_PORT:-18091}"
export BENCH_HTTPS_PROXY_PORT="${BENCH_HTTPS_PROXY_PORT:-18092}"
export BENCH_HTTPS_GATEWAY_PORT="${BENCH_HTTPS_GATEWAY_PORT:-18096}"
export BENCH_HTTPS_GATEWAY_ADMIN_PORT="${BENCH_HTTPS_GATEWAY_ADMIN_PORT:-18099}"
export BENCH_GRPC_GATEWAY_PORT="${BENCH_GRPC_GATEWAY_PORT:-18088}"
export BENCH_GRPC_GATEWAY_ADMIN_PORT="${BENCH_GRPC_GATEWAY_ADMIN_PORT:-18098}"
export BENCH_PRODUCT_PORT="${BENCH_PRODUCT_PORT:-18089}"
export BENCH_PRODUCT_GRPC_PORT="${BENCH_PRODUCT_GRPC_PORT:-18090}"
JAVA_OPTS="${BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx256m -Djava.net.preferIPv4Stack=true}"
PATH_UNDER_TEST="/bench/item"
# The REST->gRPC rows run only when asked for: they need the demo product service.
GRPC_ROWS=false
[[ " ${BENCH_ROWS:-} " == *" rest-grpc "* || " ${BENCH_ROWS:-} " == *" rest-http "* ]] && GRPC_ROWS=true

BENCH_TAG="bench"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# --- prerequisites ----------------------------------------------------------------------------

read -r -a ROWS <<<"${BENCH_ROWS:-direct nginx gateway full edge+gateway}"
for row in "${ROWS[@]}"; do
  case "$row" in direct | nginx | gateway | full | edge+gateway | nginx-cache | cache | gateway-json | \
    gateway-transform | nginx-https | gateway-https | rest-grpc | rest-http) ;;
    *) fail "unknown row '$row' in BENCH_ROWS" ;; esac
done
[[ " ${ROWS[*]} " == *" nginx "* ]] || fail "BENCH_ROWS must include nginx, the reference of every ratio"
has_row() { [[ " ${ROWS[*]} " == *" $1 "* ]]; }

require_tools
require_whole_numbers "BENCH_WARMUP, BENCH_DURATION, BENCH_THREADS, BENCH_CONNECTIONS must be whole numbers >= 1" \
  "$WARMUP" "$DURATION" "$THREADS" "$CONNECTIONS"
find_java
require_jars microgateway/target/microgateway.jar edge-router/target/edge-router.jar
require_free_ports "$BENCH_UPSTREAM_PORT" "$BENCH_PROXY_PORT" "$BENCH_GATEWAY_PORT" "$BENCH_EDGE_PORT" \
  "$BENCH_GATEWAY_ADMIN_PORT" "$BENCH_EDGE_ADMIN_PORT"
if has_row nginx-cache; then require_free_ports "$BENCH_NGINX_CACHE_PORT"; fi
if has_row full; then
  require_free_ports "$BENCH_FULL_GATEWAY_PORT" "$BENCH_FULL_GATEWAY_ADMIN_PORT" "$BENCH_FULL_CLUSTER_PORT"
fi
if has_row cache; then
  require_free_ports "$BENCH_CACHE_GATEWAY_PORT" "$BENCH_CACHE_GATEWAY_ADMIN_PORT" "$BENCH_CACHE_CLUSTER_PORT"
fi
HTTPS_ROWS=false
if has_row nginx-https || has_row gateway-https; then
  HTTPS_ROWS=true
  command -v openssl >/dev/null || fail "the HTTPS rows need openssl (apt-get install openssl)"
  require_free_ports "$BENCH_HTTPS_UPSTREAM_PORT" "$BENCH_HTTPS_PROXY_PORT" "$BENCH_HTTPS_GATEWAY_PORT" \
    "$BENCH_HTTPS_GATEWAY_ADMIN_PORT"
fi
if $GRPC_ROWS; then
  require_jars domains/products/target/products-service.jar
  require_free_ports "$BENCH_GRPC_GATEWAY_PORT" "$BENCH_GRPC_GATEWAY_ADMIN_PORT" "$BENCH_PRODUCT_PORT" \
    "$BENCH_PRODUCT_GRPC_PORT"
fi

# --- processes ----------------------------------------------------------------------------------

setup_run "" concierge-bench
if has_row nginx-cache; then
  mkdir -p "$RUN_DIR/nginx-extra"
  sed -e "s#@RUN_DIR@#$RUN_DIR#g" -e "s#@NGINX_CACHE_PORT@#$BENCH_NGINX_CACHE_PORT#g" \
    "$ROOT/bench/nginx-cache.conf.template" >"$RUN_DIR/nginx-extra/cache.conf"
fi
if $HTTPS_ROWS; then
  # A throw-away certificate for 127.0.0.1, trusted by its own file (self-signed): made per run.
  export BENCH_TLS_DIR="$RUN_DIR/tls"
  mkdir -p "$BENCH_TLS_DIR" "$RUN_DIR/nginx-extra"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$BENCH_TLS_DIR/upstream.key" -out "$BENCH_TLS_DIR/upstream.pem" \
    >"$LOG_DIR/openssl.log" 2>&1 || fail "openssl could not make the upstream certificate: $(cat "$LOG_DIR/openssl.log")"
  chmod 644 "$BENCH_TLS_DIR/upstream.key" # nginx workers may run as another user; a throw-away key
  sed -e "s#@TLS_DIR@#$BENCH_TLS_DIR#g" -e "s#@HTTPS_UPSTREAM_PORT@#$BENCH_HTTPS_UPSTREAM_PORT#g" \
    -e "s#@HTTPS_PROXY_PORT@#$BENCH_HTTPS_PROXY_PORT#g" \
    "$ROOT/bench/nginx-https.conf.template" >"$RUN_DIR/nginx-extra/https.conf"
fi
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

CHECK_PORTS=("$BENCH_PROXY_PORT" "$BENCH_GATEWAY_PORT" "$BENCH_EDGE_PORT")
CACHE_GATEWAY_PID=""
if has_row cache; then
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS -jar microgateway/target/microgateway.jar run bench/cache-gateway.yaml \
    >"$LOG_DIR/cache-gateway.log" 2>&1 &
  PIDS+=("$!")
  CACHE_GATEWAY_PID="$!"
  wait_http "http://127.0.0.1:$BENCH_CACHE_GATEWAY_PORT$PATH_UNDER_TEST" "the cache gateway" "${PIDS[-1]}"
  CHECK_PORTS+=("$BENCH_CACHE_GATEWAY_PORT")
  # The row measures hits: the first request stored the answer; the next one must be a hit.
  curl -fsS -D "$LOG_DIR/cache-gateway-hit.txt" -o /dev/null "http://127.0.0.1:$BENCH_CACHE_GATEWAY_PORT$PATH_UNDER_TEST"
  grep -qi '^Cache-Status: Concierge; hit' "$LOG_DIR/cache-gateway-hit.txt" ||
    fail "the cache gateway does not answer from its cache: $(grep -i '^Cache-Status' "$LOG_DIR/cache-gateway-hit.txt")"
fi
FULL_GATEWAY_PID=""
WRK_AUTH=()
if has_row full; then
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS -jar microgateway/target/microgateway.jar run bench/full-gateway.yaml \
    >"$LOG_DIR/full-gateway.log" 2>&1 &
  PIDS+=("$!")
  FULL_GATEWAY_PID="$!"
  # One HS256 token for the whole row, valid for longer than the run: every request verifies it.
  WRK_AUTH=(-H "Authorization: Bearer $(hs256_token concierge-bench bench-user "$BENCH_JWT_SECRET" 7200)")
  wait_http "http://127.0.0.1:$BENCH_FULL_GATEWAY_ADMIN_PORT/health/live" "the full-chain gateway" "${PIDS[-1]}"
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BENCH_FULL_GATEWAY_PORT$PATH_UNDER_TEST")"
  [[ "$code" == 401 ]] || fail "the full-chain gateway answers $code without a token instead of 401"
  got="$(curl -fsS "${WRK_AUTH[@]}" "http://127.0.0.1:$BENCH_FULL_GATEWAY_PORT$PATH_UNDER_TEST")" ||
    fail "the full-chain gateway refuses the benchmark's token"
  [[ "$got" == "$(curl -fsS "http://127.0.0.1:$BENCH_UPSTREAM_PORT$PATH_UNDER_TEST")" ]] ||
    fail "the full-chain gateway answers '$got' instead of the upstream's body"
fi
if has_row nginx-cache; then
  wait_http "http://127.0.0.1:$BENCH_NGINX_CACHE_PORT$PATH_UNDER_TEST" "nginx (proxy_cache)" "$NGINX_PID"
  CHECK_PORTS+=("$BENCH_NGINX_CACHE_PORT")
  curl -fsS -D "$LOG_DIR/nginx-cache-hit.txt" -o /dev/null "http://127.0.0.1:$BENCH_NGINX_CACHE_PORT$PATH_UNDER_TEST"
  grep -qi '^Cache-Status: HIT' "$LOG_DIR/nginx-cache-hit.txt" || fail "nginx's proxy_cache does not hit"
fi
HTTPS_GATEWAY_PID=""
if $HTTPS_ROWS; then
  wait_http "http://127.0.0.1:$BENCH_HTTPS_PROXY_PORT$PATH_UNDER_TEST" "nginx (proxy to HTTPS)" "$NGINX_PID"
  CHECK_PORTS+=("$BENCH_HTTPS_PROXY_PORT")
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS -jar microgateway/target/microgateway.jar run bench/https-gateway.yaml \
    >"$LOG_DIR/https-gateway.log" 2>&1 &
  PIDS+=("$!")
  HTTPS_GATEWAY_PID="$!"
  wait_http "http://127.0.0.1:$BENCH_HTTPS_GATEWAY_PORT$PATH_UNDER_TEST" "the HTTPS-upstream gateway" "${PIDS[-1]}"
  CHECK_PORTS+=("$BENCH_HTTPS_GATEWAY_PORT")
fi
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
for port in "${CHECK_PORTS[@]}"; do
  got="$(curl -fsS "http://127.0.0.1:$port$PATH_UNDER_TEST")" || fail "port $port does not answer 200"
  [[ "$got" == "$EXPECTED" ]] || fail "port $port answers '$got' instead of the upstream's body"
done

# --- measuring ----------------------------------------------------------------------------------

declare -A PORT=([direct]="$BENCH_UPSTREAM_PORT" [nginx]="$BENCH_PROXY_PORT"
  [gateway]="$BENCH_GATEWAY_PORT" [full]="$BENCH_FULL_GATEWAY_PORT" [edge+gateway]="$BENCH_EDGE_PORT"
  [nginx-cache]="$BENCH_NGINX_CACHE_PORT" [cache]="$BENCH_CACHE_GATEWAY_PORT"
  [gateway-json]="$BENCH_GATEWAY_PORT" [gateway-transform]="$BENCH_GATEWAY_PORT"
  [nginx-https]="$BENCH_HTTPS_PROXY_PORT" [gateway-https]="$BENCH_HTTPS_GATEWAY_PORT"
  [rest-grpc]="$BENCH_GRPC_GATEWAY_PORT" [rest-http]="$BENCH_GRPC_GATEWAY_PORT")
# The REST->gRPC rows ask the product service for the same product, transcoded or proxied.
declare -A ROW_PATH=([gateway-json]="/bench/json" [gateway-transform]="/bench/transform/json"
  [rest-grpc]="/api/catalog/p1" [rest-http]="/api/products/p1")
if [[ " ${ROWS[*]} " == *" gateway-transform "* || " ${ROWS[*]} " == *" gateway-json "* ]]; then
  # The JSON rows must measure the intended work: the plain body, and a transformed one.
  json="$(curl -fsS "http://127.0.0.1:$BENCH_GATEWAY_PORT/bench/json")" || fail "/bench/json does not answer 200"
  [[ ${#json} -eq 2048 && "$json" == *'"name":'* ]] || fail "/bench/json is not the upstream's 2 KiB JSON"
  shaped="$(curl -fsS "http://127.0.0.1:$BENCH_GATEWAY_PORT/bench/transform/json")" ||
    fail "/bench/transform/json does not answer 200"
  [[ "$shaped" == *'"title":'* && "$shaped" != *'"name":'* ]] || fail "/bench/transform/json is not transformed"
fi
declare -A RPS P50 P99 ERRORS OTHER CPU_US NGINX_US RSS_MB

BUSY_BEFORE="$(busy_percent 3)"
if [[ "$BUSY_BEFORE" -gt 20 ]]; then
  echo "bench: WARNING: the CPUs were ${BUSY_BEFORE}% busy before the run; other processes will distort the figures"
fi

echo "bench: wrk -t$THREADS -c$CONNECTIONS, warm-up ${WARMUP}s + ${DURATION}s measured per row (logs: ${LOG_DIR#"$ROOT"/})"
for row in "${ROWS[@]}"; do
  url="http://127.0.0.1:${PORT[$row]}${ROW_PATH[$row]:-$PATH_UNDER_TEST}"
  auth=(); [[ "$row" != full ]] || auth=("${WRK_AUTH[@]}")
  echo "bench: $row ($url): warming up"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${auth[@]}" "$url" >"$LOG_DIR/wrk-$row-warmup.txt" 2>&1 ||
    fail "wrk failed on $row: $(tail -n 3 "$LOG_DIR/wrk-$row-warmup.txt")"
  echo "bench: $row: measuring"
  out="$LOG_DIR/wrk-$row.txt"
  # The JVMs a row goes through: their CPU per request is steadier than req/s on a shared machine.
  case "$row" in
    gateway | gateway-json | gateway-transform) jvms=("$GATEWAY_PID") ;;
    edge+gateway) jvms=("$EDGE_PID" "$GATEWAY_PID") ;;
    cache) jvms=("$CACHE_GATEWAY_PID") ;;
    full) jvms=("$FULL_GATEWAY_PID") ;;
    gateway-https) jvms=("$HTTPS_GATEWAY_PID") ;;
    rest-grpc | rest-http) jvms=("$GRPC_GATEWAY_PID") ;;
    *) jvms=() ;;
  esac
  jvm0=0; [[ ${#jvms[@]} -eq 0 ]] || jvm0="$(proc_cpu "${jvms[@]}")"
  ngx0="$(proc_cpu "$NGINX_PID")"
  children_cpu; busy0="$(cpu_busy)"; all0="$(cpu_all)"; ours0=$(( $(proc_cpu "${PIDS[@]}") + CHILDREN_CPU ))
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${auth[@]}" "$url" >"$out" 2>&1 ||
    fail "wrk failed on $row: $(tail -n 3 "$out")"
  children_cpu; busy1="$(cpu_busy)"; all1="$(cpu_all)"; ours1=$(( $(proc_cpu "${PIDS[@]}") + CHILDREN_CPU ))
  jvm1=0; [[ ${#jvms[@]} -eq 0 ]] || jvm1="$(proc_cpu "${jvms[@]}")"
  ngx1="$(proc_cpu "$NGINX_PID")"
  # CPU used by processes other than wrk, nginx, the gateway and the edge, as a share of all CPUs.
  OTHER[$row]="$(other_cpu_percent "$((busy1 - busy0))" "$((ours1 - ours0))" "$((all1 - all0))")"
  parse_wrk "$out"
  RPS[$row]="$WRK_RPS"
  P50[$row]="$WRK_P50"
  P99[$row]="$WRK_P99"
  ERRORS[$row]="$WRK_ERRORS"
  CPU_US[$row]="-"
  RSS_MB[$row]="-"; [[ ${#jvms[@]} -eq 0 ]] || RSS_MB[$row]="$(rss_mb "${jvms[@]}")"
  NGINX_US[$row]="$(per_request_us "$((ngx1 - ngx0))" "${RPS[$row]}" "$DURATION")"
  if [[ ${#jvms[@]} -gt 0 ]]; then
    CPU_US[$row]="$(per_request_us "$((jvm1 - jvm0))" "${RPS[$row]}" "$DURATION")"
  fi
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

table="$(
  echo "| row | req/s | p50 ms | p99 ms | req/s vs nginx | p99 vs nginx | errors | other CPU | JVM CPU µs/req | nginx CPU µs/req | JVM RSS MB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for row in "${ROWS[@]}"; do
    printf '| %s | %.0f | %.2f | %.2f | %sx | %sx | %s | %s%% | %s | %s | %s |\n' "$row" "${RPS[$row]}" "${P50[$row]}" "${P99[$row]}" \
      "$(ratio "${RPS[$row]}" "${RPS[nginx]}")" "$(ratio "${P99[$row]}" "${P99[nginx]}")" "${ERRORS[$row]}" "${OTHER[$row]}" \
      "${CPU_US[$row]}" "${NGINX_US[$row]}" "${RSS_MB[$row]}"
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
# nginx's CPU as a proxy: the nginx row's (proxy and upstream) minus the upstream's share, which
# the direct row measures alone; the JVM rows compare against it (issue 19: <= 2.5x).
cpu_note=""
if [[ -n "${RPS[direct]:-}" ]]; then
  NGINX_PROXY_US="$(awk -v a="${NGINX_US[nginx]}" -v b="${NGINX_US[direct]}" 'BEGIN { printf "%.1f", a - b }')"
  cpu_note="nginx as a proxy: ${NGINX_PROXY_US} µs CPU/req (nginx row ${NGINX_US[nginx]} minus the upstream's ${NGINX_US[direct]} in the direct row); JVM CPU per request vs that:"
  for row in "${ROWS[@]}"; do
    [[ "${CPU_US[$row]}" == "-" ]] || cpu_note="$cpu_note $row $(ratio "${CPU_US[$row]}" "$NGINX_PROXY_US")x;"
  done
fi
transform_note=""
if [[ -n "${RPS[gateway-json]:-}" && -n "${RPS[gateway-transform]:-}" ]]; then
  transform_note="JSON transformation of a 2 KiB body vs the plain hop with the same body: req/s $(ratio \
"${RPS[gateway-transform]}" "${RPS[gateway-json]}")x, JVM CPU µs/req ${CPU_US[gateway-json]} -> ${CPU_US[gateway-transform]}."
fi

{
  echo "# Benchmark $STAMP"
  echo
  echo "- machine: $(machine_description)"
  echo "- tools: $(wrk -v 2>&1 | head -n1 | awk '{print $1, $2}'), $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), Java $(java_version) ($JAVA_HOME)"
  echo "- load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency after ${WARMUP}s warm-up, GET $PATH_UNDER_TEST, 100-byte response$(
    [[ -z "${RPS[gateway-json]:-}${RPS[gateway-transform]:-}" ]] || echo "; JSON rows: a 2048-byte JSON list at /bench/json and /bench/transform/json")"
  echo "- CPUs busy in the 3 s before the run: ${BUSY_BEFORE}%; *other CPU* is the share of all CPUs used during a row by processes other than wrk, nginx, the gateway and the edge (0% on a quiet machine)"
  echo "- nginx worker_processes $NGINX_WORKERS; gateway and edge JVM flags: $JAVA_OPTS"
  echo "- *JVM CPU µs/req*: user + system CPU of the row's JVMs (gateway; edge and gateway) per request, GC and JIT included; *JVM RSS MB*: resident memory of those JVMs at the end of the row; *nginx CPU µs/req*: nginx's (master and workers: the upstream, and in the nginx row the proxy too)"
  if has_row full; then
    echo "- full: bench/full-gateway.yaml, one HS256 token on every request (Authorization header), a fast-mode limit per consumer on a one-member Hazelcast cluster (never reached), access log on (JSON lines to the row's log file)"
  fi
  if has_row cache || has_row nginx-cache; then
    echo "- cache rows: every measured request is a hit (checked before the row); cache = one gateway with the shared cache on a one-member Hazelcast cluster (bench/cache-gateway.yaml), nginx-cache = nginx proxy_cache"
  fi
  if $HTTPS_ROWS; then
    echo "- nginx-https / gateway-https: the same 100-byte answer from nginx over HTTPS (TLS 1.3, a self-signed certificate for 127.0.0.1 made per run, verified by both proxies), through nginx (pooled TLS, session reuse) and through one gateway (bench/https-gateway.yaml, pooled TLS); compare gateway-https with nginx-https$(
      [[ -z "${RPS[gateway-https]:-}" || -z "${RPS[nginx-https]:-}" ]] || echo ": req/s $(ratio "${RPS[gateway-https]}" "${RPS[nginx-https]}")x, p99 $(ratio "${P99[gateway-https]}" "${P99[nginx-https]}")x")"
  fi
  if $GRPC_ROWS; then
    echo "- rest-grpc / rest-http: GET /api/catalog/p1 (REST->gRPC GetProduct) / GET /api/products/p1 (HTTP) through one gateway (bench/grpc-gateway.yaml) to the demo product service (a JVM, not nginx: compare these two rows with each other); JVM CPU is the gateway's"
  fi
  echo
  echo "$table"
  echo
  echo "Target (one gateway hop >= 0.5x nginx req/s, p99 <= 3x nginx): $verdict"
  if [[ -n "$cpu_note" ]]; then
    echo
    echo "$cpu_note"
  fi
  if [[ -n "$transform_note" ]]; then
    echo
    echo "$transform_note"
  fi
} >"$RESULT_FILE"

if [[ -n "${RPS[cache]:-}" ]]; then
  {
    echo
    echo "Cache hit (issue 15 targets: >= 0.6x nginx-cache req/s, >= 1.5x the gateway row): " \
      "$( [[ -n "${RPS[nginx-cache]:-}" ]] && echo "$(ratio "${RPS[cache]}" "${RPS[nginx-cache]}")x nginx-cache" || echo "no nginx-cache row")," \
      "$( [[ -n "${RPS[gateway]:-}" ]] && echo "$(ratio "${RPS[cache]}" "${RPS[gateway]}")x gateway" || echo "no gateway row")."
  } >>"$RESULT_FILE"
fi

echo
cat "$RESULT_FILE"
echo
echo "bench: written to ${RESULT_FILE#"$ROOT"/}"
