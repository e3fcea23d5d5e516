#!/usr/bin/env bash
# The rate-limiting benchmark (docs/benchmarks.md, "Rate limiting"). Three instances of one gateway
# (bench/ratelimit-gateway.yaml) form a Hazelcast cluster in front of nginx returning a fixed
# 100-byte response; then, with wrk:
#
#   latency   wrk -> gateway #1, in interleaved rounds, on three routes to the same upstream:
#             no limit | a fast limit | a strict limit (both far too high to reject anything),
#             keyed by a header the script rotates over 256 values so the counters spread over
#             the cluster's partitions; reports req/s, p50, p99 and the ratio to "no limit"
#   overshoot wrk on all three gateways at once, as fast as they go, on one key of a limit of
#             BENCH_OVERSHOOT_LIMIT per hour: fast mode, then strict mode as the exact reference;
#             reports the requests admitted (200) against the limit
#
# Results go to bench/results/ratelimit-<timestamp>.md. Installs nothing: needs wrk, nginx, curl.
#
# Environment (all optional):
#   BENCH_WARMUP=10 BENCH_DURATION=15 BENCH_ROUNDS=3     per latency row and round (each round
#   BENCH_ROUND_WARMUP=5                                  warms every row up again first)
#   BENCH_THREADS=2 BENCH_CONNECTIONS=32                  wrk -t / -c of the latency rows
#   BENCH_OVERSHOOT_LIMIT=20000 BENCH_OVERSHOOT_DURATION=12 BENCH_OVERSHOOT_CONNECTIONS=16 (per gateway)
#   BENCH_UPSTREAM_PORT=18181 BENCH_PROXY_PORT=18182 BENCH_RL_PORT=18191 (gateways: +0, +1, +2;
#   admin ports +10) BENCH_CLUSTER_PORT=5901   BENCH_JAVA_OPTS
set -euo pipefail
set -o noglob # BENCH_JAVA_OPTS is split into words, never globbed

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WARMUP="${BENCH_WARMUP:-10}"
DURATION="${BENCH_DURATION:-15}"
ROUND_WARMUP="${BENCH_ROUND_WARMUP:-5}"
ROUNDS="${BENCH_ROUNDS:-3}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
export BENCH_OVERSHOOT_LIMIT="${BENCH_OVERSHOOT_LIMIT:-20000}"
OVERSHOOT_DURATION="${BENCH_OVERSHOOT_DURATION:-12}"
OVERSHOOT_CONNECTIONS="${BENCH_OVERSHOOT_CONNECTIONS:-16}"
export BENCH_UPSTREAM_PORT="${BENCH_UPSTREAM_PORT:-18181}"
export BENCH_PROXY_PORT="${BENCH_PROXY_PORT:-18182}"
RL_PORT="${BENCH_RL_PORT:-18191}"
export BENCH_CLUSTER_PORT="${BENCH_CLUSTER_PORT:-5901}"
export BENCH_CLUSTER_NAME="bench-rl-$$-$RANDOM"
JAVA_OPTS="${BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx256m -Djava.net.preferIPv4Stack=true}"

BENCH_TAG="bench-ratelimit"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

require_tools
require_whole_numbers "BENCH_* numbers must be whole numbers >= 1" "$WARMUP" "$DURATION" "$ROUND_WARMUP" "$ROUNDS" \
  "$THREADS" "$CONNECTIONS" "$BENCH_OVERSHOOT_LIMIT" "$OVERSHOOT_DURATION" "$OVERSHOOT_CONNECTIONS"
find_java
require_jars microgateway/target/microgateway.jar

GW_PORTS=("$RL_PORT" "$((RL_PORT + 1))" "$((RL_PORT + 2))")
require_free_ports "$BENCH_UPSTREAM_PORT" "$BENCH_PROXY_PORT" "${GW_PORTS[@]}" "$((RL_PORT + 10))" "$((RL_PORT + 11))" \
  "$((RL_PORT + 12))" "$BENCH_CLUSTER_PORT"

setup_run ratelimit- concierge-bench-rl

# --- processes ------------------------------------------------------------------------------------

start_nginx 1
wait_http "http://127.0.0.1:$BENCH_UPSTREAM_PORT/" "nginx (upstream)" "$NGINX_PID" 90

# One at a time: each instance joins the cluster before the next starts.
for i in 0 1 2; do
  # shellcheck disable=SC2086 # JAVA_OPTS is a word list
  BENCH_GATEWAY_PORT="${GW_PORTS[$i]}" BENCH_GATEWAY_ADMIN_PORT="$((RL_PORT + 10 + i))" \
    "$JAVA" $JAVA_OPTS -jar microgateway/target/microgateway.jar run bench/ratelimit-gateway.yaml \
    >"$LOG_DIR/gateway-$i.log" 2>&1 &
  PIDS+=("$!")
  wait_http "http://127.0.0.1:${GW_PORTS[$i]}/rl/none/x" "gateway #$((i + 1))" "${PIDS[-1]}" 90
done
health_instances() {
  curl -fsS --max-time 2 "http://127.0.0.1:$((RL_PORT + 10))/health" 2>/dev/null |
    sed -n 's/.*"rateLimiting":{[^}]*"instances":\([0-9]*\).*/\1/p'
}
deadline=$((SECONDS + 60))
until [[ "$(health_instances)" == 3 ]]; do
  [[ $SECONDS -lt $deadline ]] || fail "gateway #1 does not see 3 instances sharing its limits; see $LOG_DIR"
  sleep 0.5
done

EXPECTED="$(curl -fsS "http://127.0.0.1:$BENCH_UPSTREAM_PORT/x")"
for row in none fast strict; do
  got="$(curl -fsS -H 'X-Bench-Key: check' "http://127.0.0.1:${GW_PORTS[0]}/rl/$row/x")" ||
    fail "route $row does not answer 200"
  [[ "$got" == "$EXPECTED" ]] || fail "route $row answers '$got' instead of the upstream's body"
done

# --- latency --------------------------------------------------------------------------------------

cat >"$RUN_DIR/keys.lua" <<'EOF'
-- Rotates the rate-limit key over 256 values, one per request.
local n = 0
request = function()
  n = (n + 1) % 256
  return wrk.format(nil, nil, { ["X-Bench-Key"] = "client-" .. n })
end
EOF

# Other work on the machine distorts the figures, so each round records the share of all CPUs used
# by processes other than ours, and our own CPU per request, which other load disturbs far less
# than latency does.
LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)"
ROWS=(none fast strict)
declare -A RPS P50 P99 ERRORS OTHER CPUREQ P50RATIO CPURATIO
for row in "${ROWS[@]}"; do
  RPS[$row]=""
  P50[$row]=""
  P99[$row]=""
  OTHER[$row]=""
  CPUREQ[$row]=""
  P50RATIO[$row]=""
  CPURATIO[$row]=""
  ERRORS[$row]=0
done
echo "bench-ratelimit: latency: wrk -t$THREADS -c$CONNECTIONS, ${ROUNDS} interleaved rounds of ${ROUND_WARMUP}s warm-up + ${DURATION}s measured per row, after ${WARMUP}s initial warm-up (logs: ${LOG_DIR#"$ROOT"/})"
for row in "${ROWS[@]}"; do
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$RUN_DIR/keys.lua" \
    "http://127.0.0.1:${GW_PORTS[0]}/rl/$row/x" >"$LOG_DIR/wrk-$row-warmup.txt" 2>&1 ||
    fail "wrk failed on $row: $(tail -n 3 "$LOG_DIR/wrk-$row-warmup.txt")"
done
for round in $(seq 1 "$ROUNDS"); do
  for row in "${ROWS[@]}"; do
    echo "bench-ratelimit: round $round: $row"
    # Steady state: the row's keys were idle during the other rows (fast leases went back to the
    # cluster after 5 s), so each row is warmed up again before it is measured.
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${ROUND_WARMUP}s" -s "$RUN_DIR/keys.lua" \
      "http://127.0.0.1:${GW_PORTS[0]}/rl/$row/x" >/dev/null 2>&1 || fail "wrk failed on $row (warm-up)"
    out="$LOG_DIR/wrk-$row-$round.txt"
    children_cpu; busy0="$(cpu_busy)"; all0="$(cpu_all)"; ours0=$(( $(proc_cpu "${PIDS[@]}") + CHILDREN_CPU ))
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$RUN_DIR/keys.lua" \
      "http://127.0.0.1:${GW_PORTS[0]}/rl/$row/x" >"$out" 2>&1 || fail "wrk failed on $row: $(tail -n 3 "$out")"
    children_cpu; busy1="$(cpu_busy)"; all1="$(cpu_all)"; ours1=$(( $(proc_cpu "${PIDS[@]}") + CHILDREN_CPU ))
    parse_wrk "$out"
    [[ "$WRK_REQUESTS" -gt 0 ]] || fail "wrk completed no request on $row: $out"
    OTHER[$row]+="$(other_cpu_percent "$((busy1 - busy0))" "$((ours1 - ours0))" "$((all1 - all0))") "
    cpureq="$(awk -v o="$((ours1 - ours0))" -v n="$WRK_REQUESTS" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", o / hz / n * 1e6 }')"
    CPUREQ[$row]+="$cpureq "
    p50="$WRK_P50"
    RPS[$row]+="$WRK_RPS "
    P50[$row]+="$p50 "
    P99[$row]+="$WRK_P99 "
    # Paired with the same round's "none": background load drifts between rounds, far less within one.
    if [[ "$row" == none ]]; then
      round_p50="$p50"
      round_cpu="$cpureq"
    fi
    P50RATIO[$row]+="$(awk -v a="$p50" -v b="$round_p50" 'BEGIN { printf "%.4f", a / b }') "
    CPURATIO[$row]+="$(awk -v a="$cpureq" -v b="$round_cpu" 'BEGIN { printf "%.4f", a / b }') "
    ERRORS[$row]=$((ERRORS[$row] + WRK_ERRORS))
  done
done

median() { printf '%s\n' $1 | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%+.1f%%", (a / b - 1) * 100; else print "n/a" }'; }
pct_of_ratio() { awk -v r="$1" 'BEGIN { printf "%+.1f%%", (r - 1) * 100 }'; }

# Sum of one counter of one limit over the three gateways' /health (fallbacks should stay 0: a
# decision made on local counters is not a cluster-wide decision).
limit_counter() { # limit_counter <limit name> <counter>
  local total=0 v i
  for i in 0 1 2; do
    v="$(curl -fsS --max-time 5 "http://127.0.0.1:$((RL_PORT + 10 + i))/health" |
      grep -o "\"name\":\"$1\"[^}]*" | grep -o "\"$2\":[0-9]*" | head -n1 | cut -d: -f2)"
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
calls_per_request() { # calls_per_request <limit name>
  awk -v c="$(limit_counter "$1" clusterCalls)" -v a="$(limit_counter "$1" allowed)" \
    'BEGIN { printf "%.4f", (a > 0 ? c / a : 0) }'
}
declare -A FALLBACKS
for row in fast strict; do
  FALLBACKS[$row]="$(limit_counter "$row" fallbacks)"
done

# --- overshoot --------------------------------------------------------------------------------------

# Windows are aligned to the epoch: a run that crossed an hour boundary would legitimately admit
# more (the previous hour starts to decay). Wait for the next hour in that case.
secs_into_hour=$(($(date -u +%s) % 3600))
need=$((2 * OVERSHOOT_DURATION + 30))
if ((secs_into_hour > 3600 - need)); then
  wait_s=$((3600 - secs_into_hour + 2))
  echo "bench-ratelimit: waiting ${wait_s}s so the overshoot runs stay inside one hourly window"
  sleep "$wait_s"
fi

declare -A ADMITTED TOTAL OVER_RPS OVER_FALLBACKS SOCKERR
for mode in fast strict; do
  run_key="run-$mode-$STAMP-$RANDOM"
  echo "bench-ratelimit: overshoot ($mode): 3 x wrk -t1 -c$OVERSHOOT_CONNECTIONS -d${OVERSHOOT_DURATION}s, one key, limit $BENCH_OVERSHOOT_LIMIT per hour"
  wpids=()
  for i in 0 1 2; do
    wrk -t1 -c"$OVERSHOOT_CONNECTIONS" -d"${OVERSHOOT_DURATION}s" --timeout 10s -H "X-Bench-Run: $run_key" \
      "http://127.0.0.1:${GW_PORTS[$i]}/rl/overshoot-$mode/x" >"$LOG_DIR/wrk-overshoot-$mode-$i.txt" 2>&1 &
    wpids+=("$!")
  done
  for p in "${wpids[@]}"; do
    wait "$p" || fail "wrk failed in the overshoot run ($mode); see $LOG_DIR"
  done
  total=0
  rejected=0
  rps=0
  sockerr=0
  for i in 0 1 2; do
    parse_wrk "$LOG_DIR/wrk-overshoot-$mode-$i.txt"
    # A request without an answer was neither admitted nor rejected: reported, not counted.
    sockerr=$((sockerr + WRK_SOCKET_ERRORS))
    total=$((total + WRK_REQUESTS))
    rejected=$((rejected + WRK_NON2XX))
    rps="$(awk -v a="$rps" -v b="$WRK_RPS" 'BEGIN { printf "%.0f", a + b }')"
  done
  TOTAL[$mode]=$total
  ADMITTED[$mode]=$((total - rejected))
  SOCKERR[$mode]=$sockerr
  OVER_RPS[$mode]=$rps
  OVER_FALLBACKS[$mode]="$(limit_counter "overshoot-$mode" fallbacks)"
done

# --- report -----------------------------------------------------------------------------------------

base_p50="$(median "${P50[none]}")"
base_p99="$(median "${P99[none]}")"
base_rps="$(median "${RPS[none]}")"
{
  echo "# Rate-limiting benchmark $STAMP"
  echo
  echo "- machine: $(machine_description); load average before: $LOAD_BEFORE"
  echo "- three gateway JVMs in one Hazelcast cluster (\`$JAVA_OPTS\`), nginx upstream (1 worker), wrk $(wrk -v 2>&1 | head -n1 | awk '{print $2}'), Java $(java_version)"
  echo
  echo "## Latency added per request (gateway #1, wrk -t$THREADS -c$CONNECTIONS, median of $ROUNDS interleaved rounds of ${ROUND_WARMUP}s warm-up + ${DURATION}s measured per row, 256 rotating keys)"
  echo
  echo "| route | req/s | p50 ms | p99 ms | p50 vs no limit (paired) | CPU µs/request | CPU vs no limit (paired) | p99 vs no limit | req/s vs no limit | other CPU | non-2xx + errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for row in "${ROWS[@]}"; do
    r="$(median "${RPS[$row]}")"
    p5="$(median "${P50[$row]}")"
    p9="$(median "${P99[$row]}")"
    printf '| %s | %.0f | %.2f | %.2f | %s | %.1f | %s | %s | %s | %s%% | %s |\n' "$row" "$r" "$p5" "$p9" \
      "$(pct_of_ratio "$(median "${P50RATIO[$row]}")")" "$(median "${CPUREQ[$row]}")" \
      "$(pct_of_ratio "$(median "${CPURATIO[$row]}")")" "$(pct "$p9" "$base_p99")" "$(pct "$r" "$base_rps")" \
      "$(median "${OTHER[$row]}")" "${ERRORS[$row]}"
  done
  echo
  echo "*p50 vs no limit (paired)* is the median over rounds of p50(route) / p50(no limit) of the same round; *CPU µs/request* is the CPU time of all processes of the run (three gateways, nginx, wrk) per request; *other CPU* is the median share of all CPUs used by other processes during a round (0% on a quiet machine)."
  echo
  echo "Decisions made on local counters (fallbacks) during these rows: fast ${FALLBACKS[fast]}, strict ${FALLBACKS[strict]}."
  echo
  echo "Per-round figures (req/s; p50 ms; p99 ms; CPU µs/request; other CPU %):"
  echo
  for row in "${ROWS[@]}"; do
    echo "- $row: ${RPS[$row]% }; ${P50[$row]% }; ${P99[$row]% }; ${CPUREQ[$row]% }; ${OTHER[$row]% }"
  done
  echo
  echo "Cluster calls per request on gateway #1 (from /health): fast $(calls_per_request fast), strict $(calls_per_request strict)."
  echo
  echo "## Accuracy across three instances (one key, limit $BENCH_OVERSHOOT_LIMIT per hour, all three gateways loaded at once: 3 x wrk -t1 -c$OVERSHOOT_CONNECTIONS for ${OVERSHOOT_DURATION}s)"
  echo
  echo "| mode | requests sent | req/s (sum) | admitted (200) | admitted - limit | overshoot | fallbacks | socket errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for mode in fast strict; do
    diff=$((ADMITTED[$mode] - BENCH_OVERSHOOT_LIMIT))
    printf '| %s | %s | %s | %s | %+d | %s | %s | %s |\n' "$mode" "${TOTAL[$mode]}" "${OVER_RPS[$mode]}" "${ADMITTED[$mode]}" \
      "$diff" "$(awk -v d="$diff" -v l="$BENCH_OVERSHOOT_LIMIT" 'BEGIN { printf "%+.3f%%", d / l * 100 }')" \
      "${OVER_FALLBACKS[$mode]}" "${SOCKERR[$mode]}"
  done
  echo
  echo "A request wrk gave up on (socket errors: timeout after 10 s) may still have been admitted: add those for the worst case."
  fast_ratio="$(median "${P50RATIO[fast]}")"
  echo
  echo "Targets: fast adds < 5% to p50: $(awk -v r="$fast_ratio" 'BEGIN { if (r <= 1.05) print "met"; else print "NOT met" }') ($(pct_of_ratio "$fast_ratio") paired); fast overshoot <= 2%: $(awk -v a="${ADMITTED[fast]}" -v l="$BENCH_OVERSHOOT_LIMIT" 'BEGIN { if (a <= l * 1.02) print "met"; else print "NOT met" }'); strict exact: $([[ "${ADMITTED[strict]}" -eq "$BENCH_OVERSHOOT_LIMIT" ]] && echo met || echo "NOT met")."
} >"$RESULT_FILE"

echo
cat "$RESULT_FILE"
echo
echo "bench-ratelimit: written to ${RESULT_FILE#"$ROOT"/}"
