#!/usr/bin/env bash
# Fault injection under steady load (docs/reliability.md, "Fault injection"; issue 21). Starts the
# demo mesh (compose/demo.sh on its default ports) with bench/tools/FaultProxy.java between the
# products gateways and the product service, drives idempotent GETs through the edge with
# bench/tools/MeshLoad.java (--mix steady) and injects one fault at a time:
#
#   kill-gateway          kill -9 products gateway #2 of 2, restart it (same command line and
#                         environment), until the edge routes to it again
#   drain-gateway         SIGTERM products gateway #2 (drain), restart it, until back in rotation
#   kill-service          kill -9 the product service, keep it down CHAOS_DOWN s, restart it
#   slow-upstream         through the fault proxy: delay beyond the read timeout, drop (reset),
#                         blackhole, each CHAOS_FAULT s, then pass
#   ratelimit-owner-kill  three gateways of bench/ratelimit-gateway.yaml (a cluster of their own in
#                         front of nginx) exhaust a strict and a fast limit; the member owning most
#                         partitions is killed -9 meanwhile; admitted vs the limit, then whether the
#                         limits still hold
#   consul-away           a second mesh with DISCOVERY=consul against the Consul agent stand-in
#                         (consul's test classes); the stand-in stops for CHAOS_DOWN s and a fresh
#                         one (no registrations) comes back
#
# Per scenario, from MeshLoad's per-second timeline: failed / total in the fault window (failed =
# 5xx or a socket error/timeout), failures per class, the p99 of the seconds with failures, and the
# seconds to full recovery. Results: bench/results/chaos-<timestamp>/report.md beside the raw
# timelines, events and logs. Exits non-zero when an expectation fails. Stops every process it
# started on success, failure and Ctrl-C; refuses to run when a port it needs is busy.
#
# Environment (all optional):
#   CHAOS_SCENARIOS   space-separated subset of the scenarios above, in that order (default: all)
#   CHAOS_RATE=300    steady load, requests per second through the edge (well below what the
#                     machine serves: a saturated mesh fails every class and hides the fault)
#   CHAOS_WARMUP=30   seconds of load after the mesh starts, before the first scenario (not judged)
#   CHAOS_BASELINE=10 CHAOS_FAULT=15 CHAOS_DOWN=10 CHAOS_RECOVERY=20   windows, seconds
#   CHAOS_DELAY_MS=6000   slow-upstream's delay (above the products service's 5 s read timeout)
#   CHAOS_DETECT_S=3  seconds at the start of a dead-upstream fault not held to "fast" (detection)
#   CHAOS_PRODUCT_LISTEN_PORT=13002 CHAOS_PROXY_CONTROL_PORT=13012   the service behind the proxy
#   CHAOS_RL_PORT=18291 (gateways +0..2, admin +10..12) CHAOS_RL_UPSTREAM_PORT=18281
#   CHAOS_RL_PROXY_PORT=18282 CHAOS_RL_CLUSTER_PORT=5951 CHAOS_RL_LIMIT=2000 CHAOS_RL_DURATION=15
#   CHAOS_RL_KILL_AT=2 (s into the wrk runs; pick the limit so that it runs out after the kill)
#   CHAOS_CONSUL_PORT=18500   the stand-in's port
#   CHAOS_START_TIMEOUT=240   seconds for the mesh (and a restarted process) to come up
#   CHAOS_PORT_OFFSET=0       added to every port of the demo mesh (and Hazelcast's), e.g. 11000 beside
#                             a demo or a soak run on the defaults (the cluster name is the run's own)
set -euo pipefail
set -o noglob

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BENCH_TAG="chaos"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

ALL_SCENARIOS="kill-gateway drain-gateway kill-service slow-upstream ratelimit-owner-kill consul-away"
SCENARIOS="${CHAOS_SCENARIOS:-$ALL_SCENARIOS}"
RATE="${CHAOS_RATE:-300}"
BASELINE="${CHAOS_BASELINE:-10}"
WARMUP="${CHAOS_WARMUP:-30}"
FAULT="${CHAOS_FAULT:-15}"
DOWN="${CHAOS_DOWN:-10}"
RECOVERY="${CHAOS_RECOVERY:-20}"
DELAY_MS="${CHAOS_DELAY_MS:-6000}"
DETECT_S="${CHAOS_DETECT_S:-3}"
START_TIMEOUT="${CHAOS_START_TIMEOUT:-240}"
PRODUCT_LISTEN_PORT="${CHAOS_PRODUCT_LISTEN_PORT:-13002}"
PROXY_CONTROL_PORT="${CHAOS_PROXY_CONTROL_PORT:-13012}"
RL_PORT="${CHAOS_RL_PORT:-18291}"
RL_UPSTREAM_PORT="${CHAOS_RL_UPSTREAM_PORT:-18281}"
RL_PROXY_PORT="${CHAOS_RL_PROXY_PORT:-18282}"
RL_CLUSTER_PORT="${CHAOS_RL_CLUSTER_PORT:-5951}"
RL_LIMIT="${CHAOS_RL_LIMIT:-2000}"
RL_KILL_AT="${CHAOS_RL_KILL_AT:-2}"
RL_DURATION="${CHAOS_RL_DURATION:-15}"
CONSUL_PORT="${CHAOS_CONSUL_PORT:-18500}"
OFFSET="${CHAOS_PORT_OFFSET:-0}"
[[ "$OFFSET" =~ ^[0-9]+$ && "$OFFSET" -le 15000 ]] || fail "CHAOS_PORT_OFFSET must be a whole number <= 15000"
port() { echo $(($1 + OFFSET)); }
EDGE="$(port 8080)"
EDGE_ADMIN="$(port 9080)"
PRODUCT_PORT="$(port 3002)" # where the products gateways call the service: the fault proxy
VICTIM_PORT="$(port 8202)"  # products gateway #2, the one killed and drained
PRODUCTS_ADMIN=("$(port 9201)" "$(port 9202)")
# The launcher's environment: its default ports plus the offset, and a cluster of this run's own.
MESH_ENV=(EDGE_PORT="$EDGE" EDGE_ADMIN_PORT="$EDGE_ADMIN" EDGE_TLS_PORT="$(port 8443)" PRODUCT_GRPC_PORT="$(port 50051)"
  USER_SERVICE_PORT="$(port 3001)" PRODUCT_SERVICE_PORT="$PRODUCT_PORT" ORDER_SERVICE_PORT="$(port 3003)"
  PAYMENT_SERVICE_PORT="$(port 3004)" USERS_GATEWAYS="$(port 8101):$(port 9101) $(port 8102):$(port 9102)"
  PRODUCTS_GATEWAYS="$(port 8201):$(port 9201) $VICTIM_PORT:$(port 9202)" ORDERS_GATEWAYS="$(port 8310):$(port 9310)"
  PAYMENTS_GATEWAYS="$(port 8401):$(port 9401)" MOBILE_GATEWAYS="$(port 8701):$(port 9701)"
  CLUSTER_PORT="$(port 5701)" CLUSTER_NAME="chaos-$$")

for s in $SCENARIOS; do
  [[ " $ALL_SCENARIOS " == *" $s "* ]] || fail "unknown scenario '$s' (one of: $ALL_SCENARIOS)"
done
require_whole_numbers "CHAOS_* numbers must be whole numbers >= 1" "$RATE" "$BASELINE" "$WARMUP" "$FAULT" "$DOWN" "$RECOVERY" \
  "$DELAY_MS" "$DETECT_S" "$START_TIMEOUT" "$RL_LIMIT" "$RL_DURATION" "$RL_KILL_AT"
command -v curl >/dev/null 2>&1 || fail "curl is needed"
find_java
require_jars microgateway/target/microgateway.jar edge-router/target/edge-router.jar \
  domains/products/target/products-service.jar
[[ -f bench/tools/MeshLoad.java ]] || fail "bench/tools/MeshLoad.java (the shared load tool) is missing"
wants() { [[ " $SCENARIOS " == *" $1 "* ]]; }
MESH_SCENARIOS=0
for s in kill-gateway drain-gateway kill-service slow-upstream; do wants "$s" && MESH_SCENARIOS=1; done
if wants ratelimit-owner-kill; then
  command -v wrk >/dev/null 2>&1 || fail "ratelimit-owner-kill needs wrk (apt-get install wrk)"
  require_tools # nginx as the limited routes' upstream
fi
if wants consul-away; then
  [[ -d consul/target/test-classes/io/concierge/consul/testing ]] ||
    fail "consul-away needs the Consul stand-in: mvn -B -q package -DskipTests -pl consul -am"
fi

# The demo's default ports (compose/demo.sh), the proxy's and the extra processes'. Hazelcast's
# member port is probed upwards from CLUSTER_PORT: those ports are checked too.
DEMO_PORTS=()
for p in 8080 9080 8443 50051 3001 3002 3003 3004 8101 9101 8102 9102 8201 9201 8202 9202 8310 9310 8401 9401 \
  8701 9701 5701 5702 5703 5704 5705 5706 5707 5708; do
  DEMO_PORTS+=("$(port "$p")")
done
PORTS=()
[[ $MESH_SCENARIOS -eq 0 ]] || PORTS+=("${DEMO_PORTS[@]}" "$PRODUCT_LISTEN_PORT" "$PROXY_CONTROL_PORT")
wants consul-away && PORTS+=("${DEMO_PORTS[@]}" "$CONSUL_PORT")
wants ratelimit-owner-kill && PORTS+=("$RL_PORT" "$((RL_PORT + 1))" "$((RL_PORT + 2))" "$((RL_PORT + 10))" \
  "$((RL_PORT + 11))" "$((RL_PORT + 12))" "$RL_UPSTREAM_PORT" "$RL_PROXY_PORT" "$RL_CLUSTER_PORT" \
  "$((RL_CLUSTER_PORT + 1))" "$((RL_CLUSTER_PORT + 2))")
require_free_ports $(printf '%s\n' "${PORTS[@]}" | sort -un)

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$ROOT/bench/results/chaos-$STAMP"
LOG_DIR="$OUT/logs"
mkdir -p "$LOG_DIR"
RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/concierge-chaos.XXXXXX")"
chmod 755 "$RUN_DIR"
REPORT="$OUT/report.md"
ROWS="$OUT/rows.md"
: >"$ROWS"
NOTES="$OUT/notes.md"
: >"$NOTES"
FAILED_EXPECTATIONS=0

say() { printf 'chaos: %s\n' "$*"; }
now() { date +%s; }

# --- processes ----------------------------------------------------------------------------------
# OWN: every process this script started itself (load, proxy, stand-in, restarted gateways and
# services, the rate-limit gateways, nginx), stopped first; DEMO_PID: the current demo launcher,
# which stops the processes it started itself (and is killed with them if it does not in time).
OWN=()
DEMO_PID=""

stop_pids() { # stop_pids <seconds> <pid...>: TERM, wait, then KILL what is left
  local budget="$1" pid deadline
  shift
  [[ $# -gt 0 ]] || return 0
  kill -TERM "$@" 2>/dev/null || true
  deadline=$((SECONDS + budget))
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait "$@" 2>/dev/null || true
}

children_of() { cat "/proc/$1/task/$1/children" 2>/dev/null | tr ' ' '\n' | sed '/^$/d' || true; }

stop_demo() {
  [[ -n "$DEMO_PID" ]] || return 0
  local kids
  kids="$(children_of "$DEMO_PID" | tr '\n' ' ')"
  kill -TERM "$DEMO_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 90))
  while kill -0 "$DEMO_PID" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.3; done
  if kill -0 "$DEMO_PID" 2>/dev/null; then
    say "the demo launcher did not stop in 90 s: killing it and its processes"
    # shellcheck disable=SC2086
    kill -KILL "$DEMO_PID" $kids 2>/dev/null || true
  fi
  wait "$DEMO_PID" 2>/dev/null || true
  # Its children are gone with it (it waits for them); KILL any that outlived it all the same.
  # shellcheck disable=SC2086
  [[ -z "$kids" ]] || kill -KILL $kids 2>/dev/null || true
  DEMO_PID=""
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local alive=() pid
  for pid in "${OWN[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  [[ ${#alive[@]} -eq 0 ]] || say "stopping ${#alive[@]} processes started by this script"
  # Cluster members leave one at a time, newest first (as the demo launcher does).
  for ((i = ${#OWN[@]} - 1; i >= 0; i--)); do
    kill -0 "${OWN[i]}" 2>/dev/null && stop_pids 15 "${OWN[i]}"
  done
  stop_demo
  rm -rf "$RUN_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# launch <log name> <command...>: a process of this script's own, in the background.
launch() {
  local name="$1"
  shift
  "$@" >"$LOG_DIR/$name.log" 2>&1 </dev/null &
  OWN+=("$!")
  LAUNCHED="$!"
}

# snapshot <pid> <name>: keeps a process's environment and command line, so it can be started
# again exactly as the launcher started it after it has been killed.
snapshot() {
  cp "/proc/$1/environ" "$RUN_DIR/$2.environ"
  cp "/proc/$1/cmdline" "$RUN_DIR/$2.cmdline"
  readlink "/proc/$1/cwd" >"$RUN_DIR/$2.cwd"
}
relaunch() { # relaunch <name>: starts the snapshot again; sets LAUNCHED
  local envs=() cmd=()
  mapfile -d '' envs <"$RUN_DIR/$1.environ"
  mapfile -d '' cmd <"$RUN_DIR/$1.cmdline"
  launch "$1-restarted-$(now)" env -i "${envs[@]}" "${cmd[@]}"
}

# find_pid <command-line substring> [VAR=value in its environment]: among the launcher's children
# and this script's own processes.
find_pid() {
  local pid
  for pid in $(children_of "$DEMO_PID") "${OWN[@]}"; do
    kill -0 "$pid" 2>/dev/null || continue
    tr "\0" " " <"/proc/$pid/cmdline" 2>/dev/null | grep -F -- "$1" >/dev/null || continue
    if [[ -n "${2:-}" ]]; then
      tr "\0" "\n" <"/proc/$pid/environ" 2>/dev/null | grep -xF -- "$2" >/dev/null || continue
    fi
    echo "$pid"
    return 0
  done
  return 1
}

until_true() { # until_true <seconds> <what> <command...>
  local timeout="$1" what="$2" deadline
  shift 2
  deadline=$((SECONDS + timeout))
  until "$@"; do
    [[ $SECONDS -lt $deadline ]] || fail "timed out after ${timeout}s waiting for $what (logs: $LOG_DIR)"
    sleep 0.5
  done
}

# --- the mesh -----------------------------------------------------------------------------------

start_mesh() { # start_mesh <name> <VAR=value...>: compose/demo.sh, until "Concierge demo is up."
  local name="$1"
  shift
  local log="$LOG_DIR/demo-$name.log"
  env DEMO_DIR="$OUT/demo-$name" DEMO_START_TIMEOUT="$START_TIMEOUT" "${MESH_ENV[@]}" "$@" compose/demo.sh >"$log" 2>&1 </dev/null &
  DEMO_PID="$!"
  say "starting the demo mesh ($name; log: ${log#"$ROOT"/})"
  local deadline=$((SECONDS + START_TIMEOUT * 3))
  until grep -q 'Concierge demo is up.' "$log"; do
    kill -0 "$DEMO_PID" 2>/dev/null || fail "the demo launcher exited: $(tail -n 5 "$log")"
    [[ $SECONDS -lt $deadline ]] || fail "the demo mesh did not come up; see $log"
    sleep 1
  done
}

edge_sees() { # edge_sees <domain> <gateway port>: the edge's admin /health lists the instance
  local health block
  health="$(curl -fsS --max-time 2 "http://127.0.0.1:$EDGE_ADMIN/health" 2>/dev/null | tr -d ' \n\r\t')" || return 1
  block="$(printf '%s' "$health" | grep -o "\"$1\":{[^}]*}" | sed -n 1p)" || return 1
  [[ "$block" == *"\"127.0.0.1:$2\""* ]]
}

metric_sum() { # metric_sum <metric name> <label filter> <admin port...>: summed over the gateways
  local name="$1" filter="$2" port
  shift 2
  for port in "$@"; do
    curl -fsS --max-time 5 "http://127.0.0.1:$port/metrics" 2>/dev/null || true
  done | awk -v n="$name" -v f="$filter" '
    index($0, n) == 1 && (f == "" || index($0, f) > 0) && substr($0, length(n) + 1, 1) ~ /[{ ]/ { s += $NF }
    END { printf "%d", s }'
}

proxy() { # proxy <command>: sends one line to the fault proxy's control port
  local reply
  exec 4<>"/dev/tcp/127.0.0.1/$PROXY_CONTROL_PORT"
  printf '%s\n' "$*" >&4
  read -r reply <&4 || true
  exec 4<&-
  [[ "$reply" == ok* ]] || fail "the fault proxy refused '$*': $reply"
  event "proxy-$(printf '%s' "$*" | tr ' ' '-')"
}

# --- load and events ------------------------------------------------------------------------------

EVENTS=""
event() { printf '%s %s\n' "$(now)" "$1" >>"$EVENTS"; }

LOAD_PID=""
start_load() { # start_load <scenario>: MeshLoad through the edge, until stop_load
  TIMELINE="$OUT/$1-timeline.csv"
  EVENTS="$OUT/$1-events.txt"
  : >"$EVENTS"
  LOAD_LOG="$LOG_DIR/load-$1.log"
  launch "load-$1" "$JAVA" bench/tools/MeshLoad.java --base "http://127.0.0.1:$EDGE" --mix steady --rate "$RATE" \
    --duration 3600 --timeout-ms 10000 --timeline "$TIMELINE" --summary "$OUT/$1-summary.json"
  LOAD_PID="$LAUNCHED"
  # Logging in and compiling the tool take a few seconds: the baseline starts at the first full second.
  until_true 120 "the load to start (${LOG_DIR#"$ROOT"/}/load-$1.log)" timeline_has_rows
  event load-started
}
timeline_has_rows() {
  kill -0 "$LOAD_PID" 2>/dev/null || fail "the load tool exited: $(tail -n 5 "$LOAD_LOG")"
  [[ -s "$TIMELINE" ]] && [[ "$(wc -l <"$TIMELINE")" -gt 2 ]]
}
stop_load() {
  event load-stopped
  stop_pids 30 "$LOAD_PID"
  LOAD_PID=""
}

# analyse <row name> <from epoch> <to epoch> <recovery reference epoch> <back epoch> <expectation>
#         <affected classes>: one row of the report from the timeline.
# Expectations: zero (no failure at all), isolated (only the affected classes fail), fast (isolated,
# and every second with failures, after the first CHAOS_DETECT_S of the fault, has p99 < 1000 ms).
analyse() {
  local name="$1" from="$2" to="$3" ref="$4" back="$5" expect="$6" affected="$7" line
  line="$(awk -F, -v from="$from" -v to="$to" -v ref="$ref" -v back="$back" -v expect="$expect" \
    -v affected=" $affected " -v detect="$DETECT_S" -v baseline="$BASELINE" '
    $1 !~ /^[0-9]+$/ || $2 == "all" { next }
    {
      t = $1; c = $2; f = $8 + $9
      if (t >= from - baseline && t < from) basefail += f
      if (!(c in seen)) { seen[c] = 1; classes[++nc] = c }
      if (t >= from && t <= to) {
        total += $3; failed += f; fc[c] += f
        if (f > 0) {
          if ($11 > p99) p99 = $11
          if (t >= from + detect && index(affected, " " c " ") > 0 && $11 + 0 >= 1000) slow++
        }
      }
      if (t >= back && t >= ref) { secfail[t] += f; secsent[t] += $3 }
    }
    END {
      first = -1 # the first second, from the reference on, with no failure (mawk: no sorting)
      for (t in secsent) if (secfail[t] == 0 && secsent[t] > 0 && (first < 0 || t + 0 < first)) first = t + 0
      rec = first < 0 ? "not recovered" : first - ref
      per = ""; others = 0
      for (i = 1; i <= nc; i++) {
        per = per (per == "" ? "" : ", ") classes[i] " " fc[classes[i]] + 0
        if (index(affected, " " classes[i] " ") == 0) others += fc[classes[i]]
      }
      ok = "yes"
      if (expect == "zero" && failed > 0) ok = "no"
      if ((expect == "isolated" || expect == "fast") && others > 0) ok = "no"
      if (expect == "fast" && slow > 0) ok = "no"
      if (rec == "not recovered") ok = "no"
      # Failures before the fault: the mesh was not serving the load; the fault cannot be judged.
      if (basefail > 0) ok = "no (baseline failing: " basefail ")"
      printf "%d|%d|%s|%s|%s|%s", failed, total, per, (failed > 0 ? p99 + 0 : "-"), rec, ok
    }' "$TIMELINE")"
  local failed total per p99 rec ok
  IFS='|' read -r failed total per p99 rec ok <<<"$line"
  printf '| %s | %s s | %s / %s | %s | %s | %s | %s |\n' "$name" "$((to - from + 1))" "$failed" "$total" "$per" \
    "$p99" "$rec" "$ok" >>"$ROWS"
  say "$name: failed $failed / $total ($per), failure p99 $p99 ms, recovery $rec s, expectation met: $ok"
  [[ "$ok" == yes ]] || FAILED_EXPECTATIONS=$((FAILED_EXPECTATIONS + 1))
}

warm_up() { # load for CHAOS_WARMUP s after the mesh starts (JIT, pools, caches), not judged
  say "warming the mesh up: $WARMUP s at $RATE req/s"
  "$JAVA" bench/tools/MeshLoad.java --base "http://127.0.0.1:$EDGE" --mix steady --rate "$RATE" \
    --duration "$WARMUP" --timeout-ms 10000 >"$LOG_DIR/load-warmup.log" 2>&1 </dev/null &
  OWN+=("$!")
  wait "$!" || true
}

note() { printf -- '- %s\n' "$*" >>"$NOTES"; say "$*"; }

resilience_counters() { # "breaker opens N, bulkhead rejections N, retries N" on the products gateways
  printf 'breaker opens %s, bulkhead rejections %s, retries %s, outlier ejections %s' \
    "$(metric_sum concierge_breaker_opens_total 'service="product-service"' "${PRODUCTS_ADMIN[@]}")" \
    "$(metric_sum concierge_bulkhead_rejections_total 'service="product-service"' "${PRODUCTS_ADMIN[@]}")" \
    "$(metric_sum concierge_retries_total 'service="product-service"' "${PRODUCTS_ADMIN[@]}")" \
    "$(metric_sum concierge_outlier_ejections_total 'service="product-service"' "${PRODUCTS_ADMIN[@]}")"
}

# --- mesh scenarios -------------------------------------------------------------------------------

gateway_scenario() { # gateway_scenario <kill-gateway|drain-gateway> <signal>
  local name="$1" signal="$2" pid t0 back
  pid="$(find_pid domains/products/gateway.yaml "GATEWAY_PORT=$VICTIM_PORT")" ||
    fail "products gateway on $VICTIM_PORT not found"
  snapshot "$pid" products-gateway-2
  start_load "$name"
  sleep "$BASELINE"
  t0="$(now)"
  event "$signal-gateway-$pid"
  kill "-$signal" "$pid"
  # A drained gateway exits by itself (drain, then grace period); a killed one at once.
  until_true 60 "products gateway #2 to exit after SIG$signal" bash -c "! kill -0 $pid 2>/dev/null"
  event gateway-exited
  sleep "$DOWN"
  relaunch products-gateway-2
  event gateway-restarted
  until_true "$START_TIMEOUT" "the restarted products gateway #2 to be back in the edge's view" \
    edge_sees products "$VICTIM_PORT"
  back="$(now)"
  event gateway-back-in-view
  sleep "$RECOVERY"
  stop_load
  analyse "$name" "$t0" "$back" "$t0" "$back" zero ""
  note "$name: SIG$signal at $t0, exited after $(( $(awk '/gateway-exited/ {print $1}' "$EVENTS") - t0 )) s, restarted after ${DOWN} s down, back in the edge's view $((back - t0)) s after the fault"
}

kill_service() {
  local pid t0 t1 before after
  pid="$(find_pid products-service.jar)" || fail "the product service was not found"
  snapshot "$pid" products-service
  start_load kill-service
  sleep "$BASELINE"
  before="$(resilience_counters)"
  t0="$(now)"
  event "kill-service-$pid"
  kill -KILL "$pid"
  sleep "$DOWN"
  relaunch products-service
  until_true 120 "the restarted product service" curl -fs --max-time 2 -o /dev/null \
    "http://127.0.0.1:$PRODUCT_LISTEN_PORT/health"
  t1="$(now)"
  event service-back
  sleep "$RECOVERY"
  after="$(resilience_counters)"
  stop_load
  analyse kill-service "$t0" "$t1" "$t1" "$t1" fast "products product-details inventory"
  note "kill-service: product service down $((t1 - t0)) s; products gateways before: $before; after: $after"
}

slow_upstream() {
  local phase t0 t1 before after
  start_load slow-upstream
  sleep "$BASELINE"
  for phase in "delay $DELAY_MS" drop blackhole; do
    before="$(resilience_counters)"
    t0="$(now)"
    proxy "$phase"
    sleep "$FAULT"
    proxy pass
    t1="$(now)"
    sleep "$RECOVERY"
    after="$(resilience_counters)"
    if [[ "$phase" == delay* ]]; then
      # Timeouts (504 after the 5 s read timeout) are expected to be slow: only isolation is judged.
      analyse "slow-upstream: $phase ms" "$t0" "$t1" "$t1" "$t1" isolated "products product-details inventory"
    else
      analyse "slow-upstream: $phase" "$t0" "$t1" "$t1" "$t1" fast "products product-details inventory"
    fi
    note "slow-upstream $phase: products gateways before: $before; after: $after"
  done
  stop_load
}

# --- rate limit: the owner of most partitions killed while the limits run out ----------------------

ratelimit_owner_kill() {
  local i pids=() admins=() owned best=-1 victim=-1 run t0
  export BENCH_UPSTREAM_PORT="$RL_UPSTREAM_PORT" BENCH_PROXY_PORT="$RL_PROXY_PORT"
  start_nginx 1
  OWN+=("$NGINX_PID")
  wait_http "http://127.0.0.1:$RL_UPSTREAM_PORT/" "nginx" "$NGINX_PID" 60
  for i in 0 1 2; do
    launch "rl-gateway-$i" env BENCH_GATEWAY_PORT="$((RL_PORT + i))" BENCH_GATEWAY_ADMIN_PORT="$((RL_PORT + 10 + i))" \
      BENCH_UPSTREAM_PORT="$RL_UPSTREAM_PORT" BENCH_CLUSTER_PORT="$RL_CLUSTER_PORT" \
      BENCH_CLUSTER_NAME="chaos-rl-$$" BENCH_OVERSHOOT_LIMIT="$RL_LIMIT" \
      "$JAVA" -XX:+UseSerialGC -Xmx256m -Djava.net.preferIPv4Stack=true \
      -jar microgateway/target/microgateway.jar run bench/ratelimit-gateway.yaml
    pids+=("$LAUNCHED")
    admins+=("$((RL_PORT + 10 + i))")
    wait_http "http://127.0.0.1:$((RL_PORT + i))/rl/none/x" "rate-limit gateway #$((i + 1))" "$LAUNCHED" 120
  done
  rl_instances() {
    [[ "$(curl -fsS --max-time 2 "http://127.0.0.1:$((RL_PORT + 10))/health" 2>/dev/null |
      sed -n 's/.*"rateLimiting":{[^}]*"instances":\([0-9]*\).*/\1/p')" == 3 ]]
  }
  until_true 90 "three gateways sharing the limits" rl_instances
  # The member owning most partitions (rateLimiting.ownedPartitions on the admin /health).
  for i in 0 1 2; do
    owned="$({ curl -fsS --max-time 5 "http://127.0.0.1:${admins[i]}/health" 2>/dev/null || true; } |
      sed -n 's/.*"ownedPartitions":\([0-9]*\).*/\1/p')"
    note "ratelimit-owner-kill: gateway #$((i + 1)) owns ${owned:-?} partitions"
    if [[ -n "$owned" && "$owned" -gt "$best" ]]; then best="$owned"; victim="$i"; fi
  done
  [[ "$victim" -ge 0 ]] || { note "ratelimit-owner-kill: no ownedPartitions on /health; killing gateway #1"; victim=0; }

  run="run-$(now)"
  local mode
  # Both limits are exhausted at once, from all three gateways.
  for mode in strict fast; do
    for i in 0 1 2; do
      launch "rl-wrk-$mode-$i" wrk -t1 -c8 -d"${RL_DURATION}s" -H "X-Bench-Run: $run" \
        "http://127.0.0.1:$((RL_PORT + i))/rl/overshoot-$mode/x"
    done
  done
  sleep "$RL_KILL_AT"
  t0="$(now)"
  kill -KILL "${pids[victim]}"
  note "ratelimit-owner-kill: killed gateway #$((victim + 1)) (pid ${pids[victim]}) at $t0, $RL_KILL_AT s into $RL_DURATION s of wrk on both limits from all three gateways"
  sleep "$((RL_DURATION - RL_KILL_AT + 3))"
  local admitted429 allowed rejected bound
  bound=$((RL_LIMIT + 2 * ((RL_LIMIT + 2) / 3)))
  for mode in strict fast; do
    allowed=0
    for i in 0 1 2; do
      [[ "$i" -eq "$victim" ]] && continue
      allowed=$((allowed + $(limit_decisions "overshoot-$mode" allowed "${admins[i]}")))
    done
    note "ratelimit-owner-kill ($mode): the surviving gateways' counters say allowed $allowed (the killed one's count died with it; wrk outputs in logs/rl-wrk-$mode-*.log)"
    # Admitted = non-429 answers over all three wrk runs (the upstream answers 200).
    admitted429="$(for i in 0 1 2; do cat "$LOG_DIR/rl-wrk-$mode-$i.log"; done | awk '
      / requests in / { sent += $1 } /Non-2xx or 3xx responses:/ { rej += $NF }
      END { printf "%d %d", sent, sent - rej }')"
    local sent admitted over ok
    read -r sent admitted <<<"$admitted429"
    over=$((admitted - RL_LIMIT))
    ok=yes
    [[ "$admitted" -le "$bound" ]] || ok=no
    # A limit that never ran out tested nothing: lower CHAOS_RL_LIMIT (the machine is slower than assumed).
    [[ "$sent" -gt "$RL_LIMIT" ]] || ok="no (limit not reached)"
    printf '| ratelimit-owner-kill: %s | %s s | admitted %s of %s sent | limit %s, overshoot %s (bound: +%s) | - | - | %s |\n' \
      "$mode" "$RL_DURATION" "$admitted" "$sent" "$RL_LIMIT" "$over" "$((bound - RL_LIMIT))" "$ok" >>"$ROWS"
    say "ratelimit-owner-kill $mode: admitted $admitted of $sent sent, limit $RL_LIMIT, overshoot $over, expectation met: $ok"
    [[ "$ok" == yes ]] || FAILED_EXPECTATIONS=$((FAILED_EXPECTATIONS + 1))
    # Afterwards: the limit holds (everything rejected) on the surviving gateways.
    local later=0 code
    for i in 0 1 2; do
      [[ "$i" -eq "$victim" ]] && continue
      for _ in 1 2 3 4 5; do
        code="$(curl -s -o /dev/null -w '%{http_code}' -H "X-Bench-Run: $run" "http://127.0.0.1:$((RL_PORT + i))/rl/overshoot-$mode/x")"
        [[ "$code" == 429 ]] || later=$((later + 1))
      done
    done
    note "ratelimit-owner-kill ($mode): afterwards $later of 10 requests on the surviving gateways were admitted (expected 0)"
    if [[ "$later" -ne 0 ]]; then FAILED_EXPECTATIONS=$((FAILED_EXPECTATIONS + 1)); fi
  done
  for ((i = ${#OWN[@]} - 1; i >= 0; i--)); do stop_pids 15 "${OWN[i]}"; done
  OWN=()
}

limit_decisions() { # limit_decisions <limit> <decision> <admin port>
  { curl -fsS --max-time 5 "http://127.0.0.1:$3/metrics" 2>/dev/null || true; } | awk -v l="limit=\"$1\"" -v d="decision=\"$2\"" '
    index($0, "concierge_ratelimit_decisions_total") == 1 && index($0, l) && index($0, d) { s += $NF }
    END { printf "%d", s }'
}

# --- Consul: the agent goes away and a fresh one comes back ---------------------------------------

start_standin() {
  launch "consul-standin-$(now)" "$JAVA" -Xmx96m \
    -cp "consul/target/test-classes:$(find microgateway/target/libs -name 'jackson-*.jar' | tr '\n' ':')" \
    io.concierge.consul.testing.ConsulAgentStandInMain "$CONSUL_PORT"
  STANDIN_PID="$LAUNCHED"
  until_true 60 "the Consul stand-in" curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:$CONSUL_PORT/v1/status/leader"
}

consul_passing() { # gateway instances passing in the agent (all register as "concierge-gateway")
  { curl -fsS --max-time 2 "http://127.0.0.1:$CONSUL_PORT/v1/health/service/concierge-gateway?passing" 2>/dev/null ||
    true; } | { grep -o '"Service" *: *{' || true; } | wc -l
}

consul_away() {
  local t0 t1 back expected
  start_standin
  start_mesh consul DISCOVERY=consul CONSUL_HTTP_ADDR="http://127.0.0.1:$CONSUL_PORT"
  warm_up
  expected="$(consul_passing)"
  note "consul-away: $expected gateway instances passing in the stand-in before the fault"
  start_load consul-away
  sleep "$BASELINE"
  t0="$(now)"
  event consul-stopped
  stop_pids 10 "$STANDIN_PID"
  sleep "$DOWN"
  start_standin
  t1="$(now)"
  event consul-fresh-back
  local deadline=$((SECONDS + START_TIMEOUT))
  until [[ "$(consul_passing)" -ge "$expected" ]]; do
    [[ $SECONDS -lt $deadline ]] || break
    sleep 0.5
  done
  back="$(now)"
  event registrations-back
  sleep "$RECOVERY"
  stop_load
  analyse consul-away "$t0" "$back" "$t1" "$back" zero ""
  note "consul-away: stand-in away $((t1 - t0)) s; $(consul_passing) of $expected instances passing again $((back - t1)) s after the fresh stand-in started"
  stop_demo
}

# --- run ------------------------------------------------------------------------------------------
# In one function, parsed whole before it runs: bash reads a script as it goes, so without it an edit
# of this file during a run would derail the run.
main() {
  say "results in ${OUT#"$ROOT"/}; scenarios: $SCENARIOS; load $RATE req/s"
  if [[ $MESH_SCENARIOS -eq 1 ]]; then
    launch fault-proxy "$JAVA" bench/tools/FaultProxy.java "$PRODUCT_PORT" "127.0.0.1:$PRODUCT_LISTEN_PORT" "$PROXY_CONTROL_PORT"
    until_true 60 "the fault proxy" bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROXY_CONTROL_PORT" 2>/dev/null
    start_mesh embedded PRODUCT_SERVICE_LISTEN_PORT="$PRODUCT_LISTEN_PORT"
    warm_up
    wants kill-gateway && gateway_scenario kill-gateway KILL
    wants drain-gateway && gateway_scenario drain-gateway TERM
    wants kill-service && kill_service
    wants slow-upstream && slow_upstream
    for ((i = ${#OWN[@]} - 1; i >= 0; i--)); do stop_pids 15 "${OWN[i]}"; done
    OWN=()
    stop_demo
  fi
  wants ratelimit-owner-kill && ratelimit_owner_kill
  wants consul-away && consul_away

  {
    printf '# Fault injection run %s\n\n' "$STAMP"
    printf 'Machine: %s; Java %s; load %s req/s (MeshLoad --mix steady); warm-up %s s, baseline %s s, fault %s s, down %s s, recovery observed %s s.\n\n' \
      "$(machine_description)" "$(java_version)" "$RATE" "$WARMUP" "$BASELINE" "$FAULT" "$DOWN" "$RECOVERY"
    printf '| scenario | fault window | failed / total | failures per class | failure p99 ms | recovery s | expectation met |\n'
    printf '|---|---|---|---|---|---|---|\n'
    cat "$ROWS"
    printf '\nNotes:\n\n'
    cat "$NOTES"
    printf '\nRaw: <scenario>-timeline.csv (MeshLoad, per second and class), <scenario>-events.txt (epoch, event), logs/.\n'
  } >"$REPORT"
  say "report: ${REPORT#"$ROOT"/}"
  [[ $FAILED_EXPECTATIONS -eq 0 ]] || fail "$FAILED_EXPECTATIONS expectation(s) not met (see $REPORT)"
}
main
