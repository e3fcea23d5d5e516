#!/usr/bin/env bash
# The soak run (docs/reliability.md#soak-run-benchsoaksh): the whole demo mesh (compose/demo.sh: edge,
# 7 gateways, 4 services, one Hazelcast cluster with the embedded registry) under the realistic mix of
# bench/tools/MeshLoad.java at about half of its measured maximum for SOAK_DURATION, every process
# sampled every 10 s, then judged:
#
#   1. no 5xx and no socket error (MeshLoad's errors: no status, timeouts);
#   2. 429 only where a limit applies: the attacker logins (class login-limited); any other 429 fails;
#   3. no upward trend in heap after full GC (forced every SOAK_DURATION/6 s, at least 60 s), threads,
#      open fds or Hazelcast map sizes over the last two thirds of the run: least-squares slope x
#      window length must stay within max(10 % of the metric's mean, a floor: heap 32 MB, threads 8,
#      fds 16, map entries 100);
#   4. p99 (all classes) of the last 5 minutes within 1.5x of the first 5 minutes after warm-up
#      (runs shorter than warm-up + 10 min compare the first and last whole minute instead).
#
# Results: bench/results/soak-<timestamp>/ (report.md, samples.csv, MeshLoad's timeline, summary
# and minutes, the probe's, the demo's logs and GC logs). Exits 1 when a criterion fails.
#
# Environment (all optional):
#   SOAK_DURATION=1800   seconds of load, warm-up included
#   SOAK_WARMUP=120      seconds at the start left out of the p99 comparison
#   SOAK_PROBE=45        seconds of the closed-loop probe that measures the maximum (skipped with SOAK_RATE)
#   SOAK_PROBE_WARMUP=60 seconds of the same closed loop before it, not measured (a cold mesh's JIT)
#   SOAK_RATE            requests per second; default half the probe's 2xx rate
#   SOAK_SOURCES         client source addresses; default max(1000, SOAK_RATE) so that no ordinary
#                        client sends more than 60 a minute (the edge allows 100 per IP)
#   SOAK_CONCURRENCY=64  MeshLoad's in-flight limit (probe and soak)
#   and compose/demo.sh's own port variables (EDGE_PORT, USERS_GATEWAYS, CLUSTER_PORT, ...): its
#   defaults are used, and the run refuses to start when any of them is busy.
set -euo pipefail
set -o noglob

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BENCH_TAG=soak
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

DURATION="${SOAK_DURATION:-1800}"
WARMUP="${SOAK_WARMUP:-120}"
PROBE="${SOAK_PROBE:-45}"
PROBE_WARMUP="${SOAK_PROBE_WARMUP:-60}"
CONCURRENCY="${SOAK_CONCURRENCY:-64}"
SAMPLE_EVERY=10
require_whole_numbers "SOAK_DURATION, SOAK_PROBE, SOAK_PROBE_WARMUP and SOAK_CONCURRENCY must be whole numbers >= 1" \
  "$DURATION" "$PROBE" "$PROBE_WARMUP" "$CONCURRENCY"
[[ "$WARMUP" =~ ^[0-9]+$ && "$WARMUP" -lt "$DURATION" ]] || fail "SOAK_WARMUP must be a whole number below SOAK_DURATION"
[[ -z "${SOAK_RATE:-}" ]] || require_whole_numbers "SOAK_RATE must be a whole number >= 1" "$SOAK_RATE"
[[ -z "${SOAK_SOURCES:-}" ]] || require_whole_numbers "SOAK_SOURCES must be a whole number >= 1" "$SOAK_SOURCES"

# The demo's ports, with compose/demo.sh's defaults (it reads the same variables).
EDGE_PORT="${EDGE_PORT:-8080}"
EDGE_ADMIN_PORT="${EDGE_ADMIN_PORT:-9080}"
CLUSTER_PORT="${CLUSTER_PORT:-5701}"
GATEWAY_SPECS="${USERS_GATEWAYS:-8101:9101 8102:9102} ${PRODUCTS_GATEWAYS:-8201:9201 8202:9202} ${ORDERS_GATEWAYS:-8310:9310} ${PAYMENTS_GATEWAYS:-8401:9401} ${MOBILE_GATEWAYS:-8701:9701}"
PORTS=("$EDGE_PORT" "$EDGE_ADMIN_PORT" "${EDGE_TLS_PORT:-8443}" "${PRODUCT_GRPC_PORT:-50051}"
  "${USER_SERVICE_PORT:-3001}" "${PRODUCT_SERVICE_PORT:-3002}" "${ORDER_SERVICE_PORT:-3003}" "${PAYMENT_SERVICE_PORT:-3004}")
for spec in ${GATEWAY_SPECS//,/ }; do
  PORTS+=("${spec%%:*}" "${spec#*:}")
done
for ((i = 0; i < 8; i++)); do # the cluster members' ports (edge + 7 gateways): another cluster there would merge
  PORTS+=("$((CLUSTER_PORT + i))")
done

find_java
require_jars microgateway/target/microgateway.jar edge-router/target/edge-router.jar
command -v curl >/dev/null 2>&1 || fail "curl is needed (apt-get install curl)"
require_free_ports "${PORTS[@]}"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$ROOT/bench/results/soak-$STAMP"
DEMO_DIR="$OUT/demo"
mkdir -p "$DEMO_DIR"
LOAD="$JAVA_HOME/bin/java"
TOOL="$ROOT/bench/tools/MeshLoad.java"

# --- the processes this script starts, and stopping them -------------------------------------------

DEMO_PID=""
LOAD_PID=""
SAMPLER_PID=""
JVM_PIDS=() # the demo's JVMs, recorded once it is up: killed only if the launcher failed to stop them

cleanup() {
  local rc=$? pid deadline
  trap - EXIT INT TERM
  [[ -z "$SAMPLER_PID" ]] || pkill -TERM -P "$SAMPLER_PID" 2>/dev/null || true # its sleep
  for pid in "$LOAD_PID" "$SAMPLER_PID"; do
    [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true
  done
  if [[ -n "$LOAD_PID" ]]; then # MeshLoad writes its output on TERM: give it the request timeout
    deadline=$((SECONDS + 15))
    while kill -0 "$LOAD_PID" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.2; done
    kill -KILL "$LOAD_PID" 2>/dev/null || true
  fi
  if [[ -n "$DEMO_PID" ]] && kill -0 "$DEMO_PID" 2>/dev/null; then
    printf 'soak: stopping the demo mesh\n'
    kill -TERM "$DEMO_PID" 2>/dev/null || true
    deadline=$((SECONDS + ${DEMO_STOP_TIMEOUT:-40} + 15)) # the launcher's own stop budget, and a margin
    while kill -0 "$DEMO_PID" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.3; done
    kill -KILL "$DEMO_PID" 2>/dev/null || true
  fi
  for pid in "${JVM_PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null && printf 'soak: killed leftover pid %s\n' "$pid" || true
  done
  wait 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the mesh -----------------------------------------------------------------------------------

# The demo's flags, plus a GC log per JVM (%p: its pid) for the heap after GC.
GC_FLAG="-Xlog:gc:file=$DEMO_DIR/gc-%p.log"
UNSAFE_FLAG=""
if "$JAVA" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
  UNSAFE_FLAG="--sun-misc-unsafe-memory-access=allow" # as compose/demo.sh adds on JDK 23+
fi
printf 'soak: starting the demo mesh (logs in %s)\n' "$DEMO_DIR/logs"
# A starved machine slows the cluster's joins (the launcher waits for each): more patience than its 120 s.
DEMO_DIR="$DEMO_DIR" JAVA_HOME="$JAVA_HOME" DEMO_START_TIMEOUT="${DEMO_START_TIMEOUT:-300}" \
  SERVICE_JAVA_OPTS="${SERVICE_JAVA_OPTS:--XX:+UseSerialGC -Xms32m -Xmx256m -XX:TieredStopAtLevel=1} $GC_FLAG" \
  GATEWAY_JAVA_OPTS="${GATEWAY_JAVA_OPTS:--XX:+UseSerialGC -Xms64m -Xmx384m -Djava.net.preferIPv4Stack=true $UNSAFE_FLAG} $GC_FLAG" \
  compose/demo.sh >"$OUT/demo.log" 2>&1 </dev/null &
DEMO_PID=$!
deadline=$((SECONDS + 1200))
until grep -q '^Concierge demo is up' "$OUT/demo.log" 2>/dev/null; do
  kill -0 "$DEMO_PID" 2>/dev/null || fail "the demo mesh did not start; see $OUT/demo.log: $(grep 'ERROR' "$OUT/demo.log" | tail -n 1)"
  [[ $SECONDS -lt $deadline ]] || fail "the demo mesh was not up after 1200 s; see $OUT/demo.log"
  sleep 1
done
read -r -a JVM_PIDS < <(pgrep -P "$DEMO_PID" -d ' ' java || true)
[[ ${#JVM_PIDS[@]} -gt 0 ]] || fail "found no JVM started by the demo launcher (pid $DEMO_PID)"
printf 'soak: the mesh is up: %d JVMs\n' "${#JVM_PIDS[@]}"

# name <pid> -> edge, users-service, users-gateway-8101, ...; admin_port <pid> -> its admin port or empty
name_of() {
  local cmd env
  cmd="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 1
  env="$(tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null)" || env=""
  case "$cmd" in
    *edge-router.jar*) echo edge ;;
    *microgateway.jar*)
      local d="${cmd#*domains/}"
      echo "${d%%/*}-gateway-$(printf '%s\n' "$env" | sed -n 's/^GATEWAY_PORT=//p')" ;;
    *-service.jar*)
      local s="${cmd%-service.jar*}"
      echo "${s##*/}-service" ;;
    *) echo "java-$1" ;;
  esac
}
admin_port_of() {
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 0
  case "$cmd" in
    *edge-router.jar*) echo "$EDGE_ADMIN_PORT" ;;
    *microgateway.jar*) tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | sed -n 's/^GATEWAY_ADMIN_PORT=//p' ;;
  esac
}
NAMES=()
ADMINS=()
for pid in "${JVM_PIDS[@]}"; do
  NAMES+=("$(name_of "$pid")")
  ADMINS+=("$(admin_port_of "$pid")")
done

# --- the sampler: every 10 s, per process: samples.csv (epoch_s,process,metric,value) ----------------

sample_once() {
  local now i pid name admin st heap
  now="$(date +%s)"
  for i in "${!JVM_PIDS[@]}"; do
    pid="${JVM_PIDS[i]}"
    name="${NAMES[i]}"
    admin="${ADMINS[i]}"
    st="$(cat "/proc/$pid/status" 2>/dev/null)" || continue
    printf '%s,%s,rss_mb,%s\n' "$now" "$name" "$(printf '%s\n' "$st" | awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}')"
    printf '%s,%s,threads,%s\n' "$now" "$name" "$(printf '%s\n' "$st" | awk '/^Threads:/ {print $2}')"
    printf '%s,%s,fds,%s\n' "$now" "$name" "$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
    # The heap after the last collection: "... Pause Young (Allocation Failure) 36M->19M(62M) 5.608ms".
    # With the serial collector a young collection's figure includes the old generation's garbage, so
    # the judged figure is the heap after the last full collection (the sampler forces one now and then).
    heap="$(grep -o -- '->[0-9]*M' "$DEMO_DIR/gc-$pid.log" 2>/dev/null | tail -n1 | tr -dc 0-9)" || heap=""
    [[ -z "$heap" ]] || printf '%s,%s,heap_after_gc_mb,%s\n' "$now" "$name" "$heap"
    heap="$(grep 'Pause Full' "$DEMO_DIR/gc-$pid.log" 2>/dev/null | grep -o -- '->[0-9]*M' | tail -n1 | tr -dc 0-9)" || heap=""
    [[ -z "$heap" ]] || printf '%s,%s,heap_after_full_gc_mb,%s\n' "$now" "$name" "$heap"
    [[ -n "$admin" ]] || continue
    curl -fsS --max-time 3 "http://127.0.0.1:$admin/metrics" 2>/dev/null | awk -v t="$now" -v p="$name" '
      /^#/ { next }
      /^concierge_upstream_in_flight[{ ]/ { inflight += $NF }
      /^concierge_upstream_idle_connections[{ ]/ { idle += $NF }
      /^concierge_ratelimit_tracked_keys[{ ]/ { keys += $NF; haskeys = 1 }
      /^concierge_cache_owned_entries[{ ]/ { cache += $NF; hascache = 1 }
      /^concierge_cluster_map_owned_entries[{ ]/ {
        m = $0; sub(/.*map="/, "", m); sub(/".*/, "", m); printf "%s,%s,map:%s,%s\n", t, p, m, $NF }
      END {
        printf "%s,%s,upstream_in_flight,%d\n%s,%s,upstream_idle_connections,%d\n", t, p, inflight, t, p, idle
        if (haskeys) printf "%s,%s,ratelimit_tracked_keys,%d\n", t, p, keys
        if (hascache) printf "%s,%s,cache_owned_entries,%d\n", t, p, cache
      }' || true
  done
}
# A full collection in every JVM (jcmd GC.run, one JVM at a time) every FULL_GC_EVERY seconds: the
# live heap it leaves is what a leak would grow. A pause of a few tens of ms per JVM, a few times a run.
FULL_GC_EVERY=$((DURATION / 6 > 60 ? DURATION / 6 : 60))
full_gcs() {
  local pid
  for pid in "${JVM_PIDS[@]}"; do
    timeout 30 "$JAVA_HOME/bin/jcmd" "$pid" GC.run >/dev/null 2>&1 || true
  done
}
sampler() {
  local next_full=$((SECONDS + FULL_GC_EVERY))
  full_gcs
  while :; do
    if [[ $SECONDS -ge $next_full ]]; then
      full_gcs
      next_full=$((SECONDS + FULL_GC_EVERY))
    fi
    sample_once >>"$OUT/samples.csv"
    sleep "$SAMPLE_EVERY" &
    wait $! || true
  done
}

# --- the probe and the soak -----------------------------------------------------------------------

BASE="http://127.0.0.1:$EDGE_PORT"
run_load() { # run_load <name> <MeshLoad args...>: in the background, waited for (so a signal is served)
  local name="$1"
  shift
  "$LOAD" "$TOOL" --base "$BASE" --mix soak --concurrency "$CONCURRENCY" \
    --timeline "$OUT/$name-timeline.csv" --summary "$OUT/$name-summary.json" --minutes "$OUT/$name-minutes.csv" \
    "$@" >"$OUT/$name.log" 2>&1 &
  LOAD_PID=$!
  wait "$LOAD_PID" || fail "MeshLoad ($name) failed; see $OUT/$name.log"
  LOAD_PID=""
  cat "$OUT/$name.log"
}
json_all() { # json_all <summary> <field>: the field of the "all" totals
  sed -n "s/.*\"all\": {.*\"$2\": \([0-9.]*\).*/\1/p" "$1"
}

if [[ -n "${SOAK_RATE:-}" ]]; then
  RATE="$SOAK_RATE"
  RATE_NOTE="SOAK_RATE"
else
  # A mesh just started runs its JIT compilers in all twelve JVMs at once: measured cold, the
  # maximum came out at about half of what the same mesh serves a minute later. The same closed
  # loop first warms it up, unmeasured.
  printf 'soak: warming the mesh up: %s s closed loop, %s in flight (not measured)\n' "$PROBE_WARMUP" "$CONCURRENCY"
  run_load probe-warmup --rate 0 --duration "$PROBE_WARMUP" --sources "${SOAK_SOURCES:-4000}"
  printf 'soak: probing the maximum: %s s closed loop, %s in flight\n' "$PROBE" "$CONCURRENCY"
  run_load probe --rate 0 --duration "$PROBE" --sources "${SOAK_SOURCES:-4000}"
  MAX="$(json_all "$OUT/probe-summary.json" rate_2xx)"
  RATE="$(awk -v m="$MAX" 'BEGIN { r = int(m / 2); print (r < 1 ? 1 : r) }')"
  RATE_NOTE="half the probe's $MAX 2xx/s"
fi
SOURCES="${SOAK_SOURCES:-$((RATE > 1000 ? RATE : 1000))}"
printf 'soak: %s req/s (%s) from %s sources for %s s (warm-up %s s)\n' "$RATE" "$RATE_NOTE" "$SOURCES" "$DURATION" "$WARMUP"

sampler &
SAMPLER_PID=$!
SOAK_START="$(date +%s)"
run_load soak --rate "$RATE" --duration "$DURATION" --sources "$SOURCES"
SOAK_END="$(date +%s)"
pkill -TERM -P "$SAMPLER_PID" 2>/dev/null || true
kill -TERM "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""

# --- judging ------------------------------------------------------------------------------------

S="$OUT/soak-summary.json"
FAILED=()
n5xx="$(json_all "$S" s5xx)"
nerr="$(json_all "$S" errors)"
unexpected="$(sed -n 's/.*"unexpected_429": \([0-9]*\).*/\1/p' "$S")"
limited="$(sed -n 's/.*"login-limited": {.*"s429": \([0-9]*\).*/\1/p' "$S")"
[[ "$n5xx" == 0 ]] || FAILED+=("$n5xx responses were 5xx")
[[ "$nerr" == 0 ]] || FAILED+=("$nerr requests failed without a status (socket error or timeout)")
[[ "$unexpected" == 0 ]] || FAILED+=("$unexpected 429s outside the login limit")

# Trends: samples in the last two thirds of the soak.
TREND_FROM=$((SOAK_START + (SOAK_END - SOAK_START) / 3))
awk -F, -v from="$TREND_FROM" -v start="$SOAK_START" '
  function floor_of(m) {
    if (m == "heap_after_full_gc_mb") return 32
    if (m == "threads") return 8
    if (m == "fds") return 16
    if (m ~ /^map:/ || m == "ratelimit_tracked_keys" || m == "cache_owned_entries") return 100
    return -1 # reported, not judged
  }
  {
    k = $2 SUBSEP $3
    if (!(k in first)) first[k] = $4
    last[k] = $4
    if ($1 >= from) { x = ($1 - from); n[k]++; sx[k] += x; sy[k] += $4; sxx[k] += x * x; sxy[k] += x * $4
      if (!(k in t0)) t0[k] = $1; t1[k] = $1 }
  }
  END {
    for (k in n) {
      split(k, pm, SUBSEP)
      d = n[k] * sxx[k] - sx[k] * sx[k]
      slope = d > 0 ? (n[k] * sxy[k] - sx[k] * sy[k]) / d : 0 # per second
      mean = sy[k] / n[k]
      growth = slope * (t1[k] - t0[k])
      f = floor_of(pm[2])
      limit = f < 0 ? -1 : (0.1 * mean > f ? 0.1 * mean : f)
      verdict = limit < 0 ? "info" : (growth > limit ? "FAIL" : "ok")
      printf "%s,%s,%s,%s,%.2f,%.2f,%.2f,%s,%s\n", pm[1], pm[2], first[k], last[k], mean, slope * 3600, growth,
        (limit < 0 ? "-" : sprintf("%.1f", limit)), verdict
    }
  }' "$OUT/samples.csv" | sort >"$OUT/trends.csv"
while IFS=, read -r proc metric _ _ _ _ growth limit verdict; do
  [[ "$verdict" != FAIL ]] || FAILED+=("$proc $metric grew by $growth over the last two thirds (limit $limit)")
done <"$OUT/trends.csv"

# p99: the first 5-minute window after warm-up against the last one; 1-minute windows in short runs.
M="$OUT/soak-minutes.csv"
LOAD_START="$(sed -n 's/.*"start_epoch_s": \([0-9]*\).*/\1/p' "$S")"
if ((DURATION - WARMUP >= 600)); then KIND=window5; SPAN=300; else KIND=minute; SPAN=60; fi
read -r P99_FIRST P99_LAST < <(awk -F, -v kind="$KIND" -v after="$((LOAD_START + WARMUP))" \
  -v end="$((LOAD_START + DURATION))" '
  $1 == kind && $4 == "all" && $2 >= after && $3 <= end {
    if (first == "") first = $7; last = $7 }
  END { print (first == "" ? "n/a" : first), (last == "" ? "n/a" : last) }' "$M")
P99_RATIO="$(awk -v a="$P99_FIRST" -v b="$P99_LAST" 'BEGIN { if (a + 0 > 0) printf "%.2f", b / a; else print "n/a" }')"
if [[ "$P99_RATIO" == n/a ]]; then
  FAILED+=("no whole ${SPAN}s window after the warm-up to compare p99 (run longer)")
elif awk -v r="$P99_RATIO" 'BEGIN { exit !(r > 1.5) }'; then
  FAILED+=("p99 of the last ${SPAN}s is ${P99_RATIO}x the first after warm-up (limit 1.5x)")
fi

# --- the report ---------------------------------------------------------------------------------

{
  printf '# Soak run %s\n\n' "$STAMP"
  printf -- '- Machine: %s; JDK %s\n' "$(machine_description)" "$(java_version)"
  printf -- '- Load: MeshLoad soak mix, %s req/s (%s), %s sources, %s s (warm-up %s s), %s in flight at most\n' \
    "$RATE" "$RATE_NOTE" "$SOURCES" "$DURATION" "$WARMUP" "$CONCURRENCY"
  printf -- '- Result: **%s**\n\n' "$([[ ${#FAILED[@]} -eq 0 ]] && echo PASS || echo FAIL)"
  for f in "${FAILED[@]}"; do printf -- '- FAILED: %s\n' "$f"; done
  [[ ${#FAILED[@]} -eq 0 ]] || printf '\n'
  printf '## Requests\n\n| class | sent | req/s | 2xx | 4xx | 429 | 5xx | errors | p50 ms | p99 ms | max ms |\n'
  printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
  awk '
    /"[a-z-]+": \{"sent"/ {
      line = $0; name = line; sub(/^ *"/, "", name); sub(/".*/, "", name)
      if (name == "all" || name ~ /^all$/) next
      printf "| %s |", name
      n = split("sent rate s2xx s4xx s429 s5xx errors p50_ms p99_ms max_ms", f, " ")
      for (i = 1; i <= n; i++) { v = line; sub(".*\"" f[i] "\": ", "", v); sub(/[,}].*/, "", v); printf " %s |", v }
      printf "\n"
    }
    /"all": \{/ {
      line = $0; printf "| **all** |"
      n = split("sent rate s2xx s4xx s429 s5xx errors p50_ms p99_ms max_ms", f, " ")
      for (i = 1; i <= n; i++) { v = line; sub(".*\"" f[i] "\": ", "", v); sub(/[,}].*/, "", v); printf " %s |", v }
      printf "\n"
    }' "$S"
  printf '\n429s outside login-limited: %s (login-limited: %s, expected). p99 (all classes), first %s s after warm-up: %s ms, last %s s: %s ms, ratio %s (limit 1.5).\n\n' \
    "$unexpected" "$limited" "$SPAN" "$P99_FIRST" "$SPAN" "$P99_LAST" "$P99_RATIO"
  printf '## Processes (sampled every %s s; trend over the last two thirds)\n\n' "$SAMPLE_EVERY"
  printf 'Growth = least-squares slope x the window; limit = max(10 %% of the mean, floor: heap after full GC 32 MB, threads 8, fds 16, map entries 100). Heap after any GC (young collections count the old generation'"'"'s garbage), RSS and pool gauges are reported, not judged. Full GCs forced every %s s.\n\n' "$FULL_GC_EVERY"
  printf '| process | metric | first | last | mean | slope /h | growth | limit | verdict |\n|---|---|---:|---:|---:|---:|---:|---:|---|\n'
  awk -F, '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$OUT/trends.csv"
  printf '\nFiles: samples.csv (epoch_s,process,metric,value), soak-timeline.csv, soak-minutes.csv, soak-summary.json, probe-*, demo/ (logs, GC logs).\n'
} >"$OUT/report.md"

printf 'soak: report in %s\n' "$OUT/report.md"
if [[ ${#FAILED[@]} -gt 0 ]]; then
  printf 'soak: FAILED: %s\n' "${FAILED[@]}" >&2
  exit 1
fi
printf 'soak: PASS\n'
