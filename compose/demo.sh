#!/usr/bin/env bash
# The local launcher behind `./concierge demo`: runs the whole demo mesh as plain processes on
# 127.0.0.1 and stops all of it on Ctrl-C / SIGTERM.
#
#   4 demo services (users, products, orders, payments)  ports 3001-3004 (products also gRPC on 50051)
#   the edge router                                        8080, HTTPS 8443, admin 9080
#   users gateway x2, products gateway x2                  8101/9101 8102/9102, 8201/9201 8202/9202
#   orders gateway, payments gateway                       8310/9310, 8401/9401
#   mobile gateway (a BFF: compositions only, no service)  8701/9701
#
# No default port is one of Consul's (8300-8302, 8500-8503, 8600), so DISCOVERY=consul works beside
# a local Consul agent; the rule for choosing ports is in docs/operations.md#ports.
#
# Every gateway and the edge join one Hazelcast cluster (CLUSTER_NAME); the edge finds the
# gateways there. Logs: .demo/logs/<name>.log. Expects the jars to be built (./concierge demo does
# that) and JAVA_HOME to be a JDK >= 21 (./concierge exports it; otherwise it is looked up).
#
# Environment (all optional):
#   EDGE_PORT, EDGE_ADMIN_PORT                     default 8080, 9080
#   USER_SERVICE_PORT ... PAYMENT_SERVICE_PORT     default 3001 ... 3004
#   PRODUCT_SERVICE_LISTEN_PORT                    where the products service listens, default
#                                                  PRODUCT_SERVICE_PORT. Set apart, the gateways still
#                                                  call PRODUCT_SERVICE_PORT and something else must
#                                                  forward it there (bench/chaos.sh's fault proxy);
#                                                  the launcher then neither checks nor waits on it
#   USERS_GATEWAYS, PRODUCTS_GATEWAYS,             instances as "port:admin-port" separated by
#   ORDERS_GATEWAYS, PAYMENTS_GATEWAYS,            spaces, e.g. USERS_GATEWAYS="8101:9101 8102:9102"
#   MOBILE_GATEWAYS
#   CLUSTER_NAME, CLUSTER_PORT                     default concierge-demo, 5701
#   JWT_SECRET                                     default: a public development secret (warned)
#   ALLOWED_ORIGINS                                default http://localhost:8080,http://localhost:3000
#   ADMIN_TOKEN                                    bearer token for admin writes (cache purge, config reload); unset: they answer 403
#   EDGE_TLS_PORT                                  default 8443 (HTTPS beside HTTP)
#   EDGE_TLS_KEYSTORE, EDGE_TLS_PASSWORD           a PKCS#12 certificate for the edge; default: a
#                                                  self-signed one made on first start in .demo/tls/
#   DEMO_START_TIMEOUT                             seconds to wait for each step (a service, the
#                                                  edge, a gateway, discovery), default 120
#   DEMO_STOP_TIMEOUT                              seconds to stop everything before KILL, default 40
#                                                  (and at most 10 per gateway or edge)
#   DEMO_DIR                                       logs and the self-signed certificate, default
#                                                  .demo (a second launcher, e.g. a test on other
#                                                  ports, uses its own)
#   SERVICE_JAVA_OPTS, GATEWAY_JAVA_OPTS           JVM flags of services / gateways and edge
#   DISCOVERY                                      embedded (default) or consul: gateways register
#                                                  in, and the edge follows, a Consul agent
#   CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN            with DISCOVERY=consul: the agent (default
#                                                  http://127.0.0.1:8500) and ACL token
#                                                  (docs/operations.md#running-the-mesh-on-consul)
set -euo pipefail
set -o noglob # option lists like GATEWAY_JAVA_OPTS are split into words, never globbed

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export EDGE_PORT="${EDGE_PORT:-8080}"
export EDGE_ADMIN_PORT="${EDGE_ADMIN_PORT:-9080}"
export USER_SERVICE_PORT="${USER_SERVICE_PORT:-3001}"
export PRODUCT_SERVICE_PORT="${PRODUCT_SERVICE_PORT:-3002}"
PRODUCT_SERVICE_LISTEN_PORT="${PRODUCT_SERVICE_LISTEN_PORT:-$PRODUCT_SERVICE_PORT}"
# The product service's gRPC face (docs/grpc.md).
export PRODUCT_GRPC_PORT="${PRODUCT_GRPC_PORT:-50051}"
export ORDER_SERVICE_PORT="${ORDER_SERVICE_PORT:-3003}"
export PAYMENT_SERVICE_PORT="${PAYMENT_SERVICE_PORT:-3004}"
export CLUSTER_NAME="${CLUSTER_NAME:-concierge-demo}"
export CLUSTER_PORT="${CLUSTER_PORT:-5701}"
export ALLOWED_ORIGINS="${ALLOWED_ORIGINS:-http://localhost:8080,http://localhost:3000}"
export EDGE_TLS_PORT="${EDGE_TLS_PORT:-8443}"
export EDGE_TLS_PASSWORD="${EDGE_TLS_PASSWORD:-concierge-demo}"
USERS_GATEWAYS="${USERS_GATEWAYS:-8101:9101 8102:9102}"
PRODUCTS_GATEWAYS="${PRODUCTS_GATEWAYS:-8201:9201 8202:9202}"
ORDERS_GATEWAYS="${ORDERS_GATEWAYS:-8310:9310}"
PAYMENTS_GATEWAYS="${PAYMENTS_GATEWAYS:-8401:9401}"
MOBILE_GATEWAYS="${MOBILE_GATEWAYS:-8701:9701}"
START_TIMEOUT="${DEMO_START_TIMEOUT:-120}"
STOP_TIMEOUT="${DEMO_STOP_TIMEOUT:-40}"
MEMBER_STOP_TIMEOUT=10
SERVICE_JAVA_OPTS="${SERVICE_JAVA_OPTS:--XX:+UseSerialGC -Xms32m -Xmx256m -XX:TieredStopAtLevel=1}"
# Gateways and the edge are cluster members: C2 stays on (they carry the traffic). The
# deserialization filter Hazelcast needs comes with the jar (META-INF/helidon/serial-config.properties).
GATEWAY_JAVA_OPTS_SET="${GATEWAY_JAVA_OPTS:+1}"
GATEWAY_JAVA_OPTS="${GATEWAY_JAVA_OPTS:--XX:+UseSerialGC -Xms64m -Xmx384m -Djava.net.preferIPv4Stack=true}"
# The same value the users service falls back to, so tokens verify once gateways check them.
DEV_JWT_SECRET="dev-secret-change-me-0123456789abcdef"

DEMO_DIR="${DEMO_DIR:-$ROOT/.demo}"
LOG_DIR="$DEMO_DIR/logs"
DOMAINS=(users products orders payments)   # a demo service and gateways each
BFF_DOMAINS=(mobile)                        # gateways only: compositions of the other domains
GATEWAY_DOMAINS=("${DOMAINS[@]}" "${BFF_DOMAINS[@]}")

PIDS=()   # every process this script started, in start order
NAMES=()  # NAMES[i] is the log name of PIDS[i]
REPORTED_DEAD=" "
SLEEP_PID=""

say() { printf '%s\n' "$*"; }
fail() {
  printf 'demo: ERROR: %s\n' "$*" >&2
  exit 1
}

# --- stopping -------------------------------------------------------------------------------

STOPPED=0
stop_all() {
  [[ $STOPPED -eq 0 ]] || return 0
  STOPPED=1
  if [[ -n "$SLEEP_PID" ]]; then
    kill "$SLEEP_PID" 2>/dev/null || true
    wait "$SLEEP_PID" 2>/dev/null || true
  fi
  [[ ${#PIDS[@]} -gt 0 ]] || return 0
  say ""
  say "demo: stopping ${#PIDS[@]} processes"
  local i deadline members=() services=()
  deadline=$((SECONDS + STOP_TIMEOUT))
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    if [[ "${NAMES[i]}" == *-service ]]; then
      services+=("${PIDS[i]}")
    else
      members+=("${PIDS[i]}")
    fi
  done
  # Cluster members leave one at a time, newest first, the edge last: a member that leaves a
  # settled cluster hands its partitions over in a second or two, while seven leaving at once wait
  # on each other. Each gets at most MEMBER_STOP_TIMEOUT, all together at most STOP_TIMEOUT.
  for i in "${members[@]}"; do
    stop_pids "$(( deadline - SECONDS < MEMBER_STOP_TIMEOUT ? deadline - SECONDS : MEMBER_STOP_TIMEOUT ))" "$i"
  done
  # The services hold no shared state: all at once.
  [[ ${#services[@]} -eq 0 ]] || stop_pids "$(( deadline - SECONDS > 5 ? deadline - SECONDS : 5 ))" "${services[@]}"
  # Reap them, so nothing is left as a zombie of this shell.
  wait "${PIDS[@]}" 2>/dev/null || true
  say "demo: stopped"
}

# stop_pids <seconds> <pid...>: TERM, wait up to <seconds>, then KILL whatever is still running.
stop_pids() {
  local budget="$1" pid alive stop_by
  shift
  kill -TERM "$@" 2>/dev/null || true
  stop_by=$((SECONDS + (budget > 0 ? budget : 0)))
  while :; do
    alive=()
    for pid in "$@"; do
      kill -0 "$pid" 2>/dev/null && alive+=("$pid")
    done
    [[ ${#alive[@]} -gt 0 ]] || return 0
    if [[ $SECONDS -ge $stop_by ]]; then
      say "demo: still running after ${budget}s, killing: $(names_of "${alive[@]}")"
      kill -KILL "${alive[@]}" 2>/dev/null || true
      return 0
    fi
    sleep 0.2
  done
}

names_of() { # "name (pid)" for each pid
  local pid i out=()
  for pid in "$@"; do
    for i in "${!PIDS[@]}"; do
      [[ "${PIDS[i]}" == "$pid" ]] && out+=("${NAMES[i]} ($pid)")
    done
  done
  printf '%s' "${out[*]}"
}

on_signal() {
  trap - INT TERM
  stop_all
  exit "$1"
}
trap 'stop_all' EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# --- checks ---------------------------------------------------------------------------------

command -v curl >/dev/null 2>&1 || fail "curl is needed (apt-get install curl)"

find_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    local v
    v="$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
    if [[ -n "$v" && "$v" -ge 21 ]]; then
      return 0
    fi
  fi
  JAVA_HOME="$("$ROOT/concierge" java-home)" || fail "no JDK >= 21 (see the message above)"
  export JAVA_HOME
}
find_java
JAVA="$JAVA_HOME/bin/java"
# Hazelcast's access to JDK internals comes with the jars' manifests (Add-Opens). On JDK 24+
# Hazelcast's use of sun.misc.Unsafe warns unless allowed; the option does not exist before 23 (a
# JVM given it would not start), hence the check. Only added to the default options.
if [[ -z "${GATEWAY_JAVA_OPTS_SET:-}" ]]; then
  java_version="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  if [[ -n "$java_version" && "$java_version" -ge 23 ]]; then
    GATEWAY_JAVA_OPTS="$GATEWAY_JAVA_OPTS --sun-misc-unsafe-memory-access=allow"
  fi
fi

jar_of() { # jar_of <domain> -> path of its demo service jar
  printf '%s/domains/%s/target/%s-service.jar' "$ROOT" "$1" "$1"
}
for jar in microgateway/target/microgateway.jar edge-router/target/edge-router.jar; do
  [[ -f "$jar" ]] || fail "$jar is missing; run ./concierge build"
done
for d in "${DOMAINS[@]}"; do
  [[ -f "$(jar_of "$d")" ]] || fail "$(jar_of "$d") is missing; run ./concierge build"
  [[ -f "domains/$d/gateway.yaml" ]] || fail "domains/$d/gateway.yaml is missing"
done
for d in "${BFF_DOMAINS[@]}"; do
  [[ -f "domains/$d/gateway.yaml" ]] || fail "domains/$d/gateway.yaml is missing"
done

gateways_of() { # gateways_of <domain> -> its "port:admin" list, one per line
  local list
  case "$1" in
    users) list="$USERS_GATEWAYS" ;;
    products) list="$PRODUCTS_GATEWAYS" ;;
    orders) list="$ORDERS_GATEWAYS" ;;
    payments) list="$PAYMENTS_GATEWAYS" ;;
    mobile) list="$MOBILE_GATEWAYS" ;;
  esac
  local spec
  for spec in ${list//,/ }; do
    printf '%s\n' "$spec"
  done
}

service_port() { # where the domain's service listens (the gateways may call it through a proxy)
  case "$1" in
    users) echo "$USER_SERVICE_PORT" ;;
    products) echo "$PRODUCT_SERVICE_LISTEN_PORT" ;;
    orders) echo "$ORDER_SERVICE_PORT" ;;
    payments) echo "$PAYMENT_SERVICE_PORT" ;;
  esac
}

port_taken() { # true if something accepts connections on 127.0.0.1:$1
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

is_port() { [[ "$1" =~ ^[0-9]+$ && "$1" -ge 1 && "$1" -le 65535 ]]; }
ALL_PORTS=("$EDGE_PORT" "$EDGE_ADMIN_PORT" "$EDGE_TLS_PORT" "$PRODUCT_GRPC_PORT")
for d in "${DOMAINS[@]}"; do
  ALL_PORTS+=("$(service_port "$d")")
done
for d in "${GATEWAY_DOMAINS[@]}"; do
  [[ -n "$(gateways_of "$d")" ]] || fail "no gateway instances configured for $d"
  for spec in $(gateways_of "$d"); do
    [[ "$spec" =~ ^[0-9]+:[0-9]+$ ]] || fail "bad gateway ports '$spec' for $d (write port:admin-port, e.g. 8101:9101)"
  done
  while IFS=: read -r p a; do
    ALL_PORTS+=("$p" "$a")
  done < <(gateways_of "$d")
done
for p in "${ALL_PORTS[@]}"; do
  is_port "$p" || fail "'$p' is not a port number (1-65535); check EDGE_PORT, *_SERVICE_PORT and *_GATEWAYS"
done
dupes="$(printf '%s\n' "${ALL_PORTS[@]}" | sort | uniq -d | tr '\n' ' ')"
[[ -z "$dupes" ]] || fail "port(s) configured twice: $dupes"
busy=()
for p in "${ALL_PORTS[@]}"; do
  port_taken "$p" && busy+=("$p")
done
[[ ${#busy[@]} -eq 0 ]] || fail "port(s) already in use on 127.0.0.1: ${busy[*]} (another demo running? stop it, or move ports with EDGE_PORT, USER_SERVICE_PORT, USERS_GATEWAYS, ...)"

# With DISCOVERY=consul the gateways register in, and the edge follows, a Consul agent: check that
# one answers before starting anything, rather than waiting for a mesh that can never form.
if [[ "${DISCOVERY:-embedded}" == consul ]]; then
  consul_url="${CONSUL_HTTP_ADDR:-http://127.0.0.1:8500}"
  [[ "$consul_url" == *://* ]] || consul_url="http://$consul_url"
  consul_auth=()
  [[ -z "${CONSUL_HTTP_TOKEN:-}" ]] || consul_auth=(-H "X-Consul-Token: $CONSUL_HTTP_TOKEN")
  curl -fsS --max-time 3 "${consul_auth[@]}" -o /dev/null "$consul_url/v1/status/leader" 2>/dev/null \
    || fail "DISCOVERY=consul, but no Consul agent answers at $consul_url (set CONSUL_HTTP_ADDR, or start one: docs/operations.md#running-the-mesh-on-consul)"
  say "demo: discovery through Consul at $consul_url"
fi

if [[ -z "${JWT_SECRET:-}" ]]; then
  say "WARNING: JWT_SECRET is not set; using the public development secret. Never use it outside a local demo."
  export JWT_SECRET="$DEV_JWT_SECRET"
else
  export JWT_SECRET
fi

# HTTPS at the edge (docs/security.md): without EDGE_TLS_KEYSTORE, a self-signed certificate for
# localhost and 127.0.0.1, made once with the JDK's keytool and kept in .demo/tls/.
if [[ -z "${EDGE_TLS_KEYSTORE:-}" ]]; then
  export EDGE_TLS_KEYSTORE="$DEMO_DIR/tls/edge.p12"
  if [[ ! -f "$EDGE_TLS_KEYSTORE" ]]; then
    mkdir -p "$(dirname "$EDGE_TLS_KEYSTORE")"
    "$JAVA_HOME/bin/keytool" -genkeypair -alias edge -keyalg EC -groupname secp256r1 -dname CN=localhost \
      -ext SAN=dns:localhost,ip:127.0.0.1 -validity 825 -storetype PKCS12 -keystore "$EDGE_TLS_KEYSTORE" \
      -storepass "$EDGE_TLS_PASSWORD" -keypass "$EDGE_TLS_PASSWORD" >/dev/null 2>&1 \
      || fail "could not make a self-signed certificate with $JAVA_HOME/bin/keytool"
    say "demo: made a self-signed certificate for localhost in .demo/tls/edge.p12 (browsers will warn)"
  fi
else
  [[ -f "$EDGE_TLS_KEYSTORE" ]] || fail "EDGE_TLS_KEYSTORE=$EDGE_TLS_KEYSTORE: no such file"
fi

mkdir -p "$LOG_DIR"

# --- starting -------------------------------------------------------------------------------

start() { # start <log name> <env assignments...> -- <java args...>
  local name="$1"
  shift
  local envs=()
  while [[ "$1" != "--" ]]; do
    envs+=("$1")
    shift
  done
  shift
  local log="$LOG_DIR/$name.log"
  : >"$log"
  # shellcheck disable=SC2086 # the JVM options are a word list on purpose
  env "${envs[@]}" "$JAVA" "$@" >"$log" 2>&1 </dev/null &
  PIDS+=("$!")
  NAMES+=("$name")
}

pid_of() {
  local i
  for i in "${!NAMES[@]}"; do
    [[ "${NAMES[i]}" == "$1" ]] && echo "${PIDS[i]}" && return 0
  done
  return 1
}

# Fails with the log's tail when a process has exited.
check_alive() {
  local i
  for i in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[i]}" 2>/dev/null; then
      say "demo: ${NAMES[i]} (pid ${PIDS[i]}) exited during start-up; last lines of .demo/logs/${NAMES[i]}.log:" >&2
      tail -n 20 "$LOG_DIR/${NAMES[i]}.log" | sed 's/^/    /' >&2
      fail "start-up failed"
    fi
  done
}

http_ok() {
  curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null
}

wait_for() { # wait_for <what> <command...>: polls for at most START_TIMEOUT seconds
  local what="$1" deadline=$((SECONDS + START_TIMEOUT))
  shift
  until "$@"; do
    check_alive
    if [[ $SECONDS -ge $deadline ]]; then
      # The process started last is the one being waited for: its log usually says why.
      local last="${NAMES[${#NAMES[@]}-1]}"
      say "demo: timed out; last lines of .demo/logs/$last.log:" >&2
      tail -n 30 "$LOG_DIR/$last.log" | cut -c1-400 | sed 's/^/    /' >&2
      fail "timed out after ${START_TIMEOUT}s waiting for $what"
    fi
    sleep 0.5
  done
}


say "demo: starting the demo services (logs in .demo/logs/)"
for d in "${DOMAINS[@]}"; do
  # Only the products service reads PRODUCT_SERVICE_PORT; it listens on PRODUCT_SERVICE_LISTEN_PORT.
  # shellcheck disable=SC2086
  start "$d-service" "SERVICE_HOST=127.0.0.1" "PRODUCT_SERVICE_PORT=$PRODUCT_SERVICE_LISTEN_PORT" -- \
    $SERVICE_JAVA_OPTS -jar "$(jar_of "$d")"
done
for d in "${DOMAINS[@]}"; do
  wait_for "the $d service on port $(service_port "$d")" http_ok "http://127.0.0.1:$(service_port "$d")/health"
  printf '  %-16s http://127.0.0.1:%s  up\n' "$d service" "$(service_port "$d")"
done

say "demo: starting the edge router"
# shellcheck disable=SC2086
start edge "EDGE_PORT=$EDGE_PORT" -- $GATEWAY_JAVA_OPTS -jar edge-router/target/edge-router.jar run compose/edge.yaml
wait_for "the edge on port $EDGE_PORT" http_ok "http://127.0.0.1:$EDGE_PORT/health"
printf '  %-16s http://127.0.0.1:%s  up\n' "edge router" "$EDGE_PORT"

# A gateway is ready when its admin /health answers (200, or 503 while its service is down) and
# reports that it sees the whole cluster started so far ($2 members). Under heavy load a joining
# member can time out and form a cluster of its own; Hazelcast merges such splits after a while,
# and starting the next gateway before that only makes it worse.
joined() { # joined <health url> <expected members>
  local body members
  body="$(curl -s --max-time 2 "$1" 2>/dev/null)" || return 1
  [[ -n "$body" ]] || return 1
  members="$(printf '%s' "$body" | grep -o '"members":[0-9]*' | head -n1 | cut -d: -f2)" || true
  [[ -z "$members" || "$members" -ge "$2" ]] # no member count in the report: answering is enough
}

# One at a time: a gateway answers only after it has joined the cluster, and members that join a
# settled cluster one by one avoid the partition-migration storm of six joining at once, which
# on a 2-core machine can take far longer than the sum of the single joins.
say "demo: starting the domain gateways (one at a time; each joins the cluster)"
MEMBERS=1 # the edge
for d in "${GATEWAY_DOMAINS[@]}"; do
  n=0
  while IFS=: read -r p a; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    start "$d-gateway-$n" "GATEWAY_PORT=$p" "GATEWAY_ADMIN_PORT=$a" -- \
      $GATEWAY_JAVA_OPTS -jar microgateway/target/microgateway.jar run "domains/$d/gateway.yaml"
    MEMBERS=$((MEMBERS + 1))
    wait_for "the $d gateway #$n on port $p to join the cluster ($MEMBERS members)" \
      joined "http://127.0.0.1:$a/health" "$MEMBERS"
    printf '  %-16s http://127.0.0.1:%s  up\n' "$d gateway #$n" "$p"
  done < <(gateways_of "$d")
done

# The mesh is ready when the edge has discovered every gateway instance we started. The instance
# list is on the edge's admin /health: the public one says only UP (issue 12).
edge_sees_all() {
  local health d block p
  health="$(curl -fsS --max-time 2 "http://127.0.0.1:$EDGE_ADMIN_PORT/health" 2>/dev/null)" || return 1
  health="$(printf '%s' "$health" | tr -d ' \n\r\t')"
  for d in "${GATEWAY_DOMAINS[@]}"; do
    # {"domains":{"users":{"prefixes":[...],"status":"UP","instances":["127.0.0.1:8101",...]},...
    block="$(printf '%s' "$health" | grep -o "\"$d\":{[^}]*}" | head -n1)" || return 1
    while IFS=: read -r p _; do
      [[ "$block" == *"\"127.0.0.1:$p\""* ]] || return 1
    done < <(gateways_of "$d")
  done
}
wait_for "the edge to discover every gateway instance (see .demo/logs/*-gateway-*.log and $(
  printf 'http://127.0.0.1:%s/health' "$EDGE_ADMIN_PORT"))" edge_sees_all

# --- ready ----------------------------------------------------------------------------------

E="http://localhost:$EDGE_PORT"
say ""
say "Concierge demo is up."
say ""
say "  edge router     $E            admin http://127.0.0.1:$EDGE_ADMIN_PORT  (health: $E/health)"
say "                  https://localhost:$EDGE_TLS_PORT (self-signed unless EDGE_TLS_KEYSTORE; HTTP/2)"
say "  web console     http://127.0.0.1:$EDGE_ADMIN_PORT/console  (live view of the mesh; reload and purge need ADMIN_TOKEN)"
for d in "${GATEWAY_DOMAINS[@]}"; do
  n=0
  while IFS=: read -r p a; do
    n=$((n + 1))
    printf '  %-15s http://127.0.0.1:%s  admin http://127.0.0.1:%s  (pid %s)\n' "$d gateway #$n" "$p" "$a" "$(pid_of "$d-gateway-$n")"
  done < <(gateways_of "$d")
done
for d in "${DOMAINS[@]}"; do
  printf '  %-15s http://127.0.0.1:%s\n' "$d service" "$(service_port "$d")"
done
say ""
say "Try:"
say "  curl $E/health"
say "  curl $E/api/products"
say "  curl $E/api/products/p1/reviews"
say "  curl $E/api/v2/products/p1                     # API version 2, made by the gateway (docs/versioning.md)"
say "  curl $E/api/mobile/home                        # the mobile BFF, in the seed's envelope"
say "  curl '$E/api/products/search?category=equipment&maxPrice=50'   # REST to gRPC (docs/grpc.md)"
say "  curl $E/api/catalog/p3"
say "  TOKEN=\$(curl -s -X POST $E/api/auth/login -H 'Content-Type: application/json' \\"
say "          -d '{\"username\":\"alice\",\"password\":\"alice-pw\"}' | sed 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/')"
say "  curl -H \"Authorization: Bearer \$TOKEN\" '$E/api/orders?userId=1'     # alice's orders; userId=2 is 403"
say "  curl -k https://localhost:$EDGE_TLS_PORT/api/products"
if [[ -n "${ADMIN_TOKEN:-}" ]]; then
  first_products="${PRODUCTS_GATEWAYS%% *}"
  say "  curl -X DELETE -H \"Authorization: Bearer \$ADMIN_TOKEN\" 'http://127.0.0.1:${first_products#*:}/admin/cache?prefix=/api/products'"
  say "  curl -X POST -H \"Authorization: Bearer \$ADMIN_TOKEN\" http://127.0.0.1:${first_products#*:}/admin/reload"
else
  say "  (admin writes such as the cache purge and POST /admin/reload answer 403: start the demo with ADMIN_TOKEN=<secret> to enable them)"
fi
say "  Edit domains/<d>/gateway.yaml (or compose/edge.yaml) while this runs: the change is reloaded live (docs/operations.md)"
say ""
say "Logs: .demo/logs/   Stop: Ctrl-C"

# Wait for a signal; meanwhile say once when a process dies (the mesh keeps running without it).
while :; do
  for i in "${!PIDS[@]}"; do
    if [[ "$REPORTED_DEAD" != *" ${PIDS[i]} "* ]] && ! kill -0 "${PIDS[i]}" 2>/dev/null; then
      say "demo: ${NAMES[i]} (pid ${PIDS[i]}) has exited; see .demo/logs/${NAMES[i]}.log"
      REPORTED_DEAD+="${PIDS[i]} "
    fi
  done
  sleep 2 &
  SLEEP_PID=$!
  wait "$SLEEP_PID" || true
  SLEEP_PID=""
done
