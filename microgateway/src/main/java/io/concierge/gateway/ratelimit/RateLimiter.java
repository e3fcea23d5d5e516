package io.concierge.gateway.ratelimit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.ratelimit.RateLimitConfig.KeyPart;
import io.concierge.gateway.ratelimit.RateLimitConfig.Mode;

/**
 * One configured limit, built once at startup: where it applies ({@link LimitMatch}), which counter
 * a request counts on ({@link KeyResolver}), the quota (or one per usage-plan tier), and the
 * {@link Counter} of its mode ({@link LocalCounter}, {@link StrictClusterCounter} or
 * {@link FastLeaseCounter}), which keeps the bounded table of keys this instance has seen.
 * {@link #decide} is the per-request step; its answer is a {@link Decision}.
 */
final class RateLimiter {
    private final RateLimitConfig config;
    private final String scope;
    private final Quota quota;
    private final Map<String, Quota> tierQuotas;
    private final RateLimitStats stats = new RateLimitStats();
    private final LimitMatch match;
    private final KeyResolver keys;
    private final Counter<?> counter;
    private final LongSupplier clock;
    private final ShadowReport shadowReport;

    /**
     * @param owner   domain or edge: the instances of one owner share cluster counters
     * @param scope   {@code domain}, {@code route <id>} or {@code edge}: part of the counter's
     *                cluster key, so equal names in different scopes never share a counter
     * @param cluster null for local counting (mode local, or no cluster in this process)
     * @param clock   epoch nanoseconds
     */
    RateLimiter(String owner, String scope, RateLimitConfig config, ClusterCounters cluster, LongSupplier clock) {
        this.config = config;
        this.scope = scope;
        this.clock = clock;
        if (config.plans() != null) {
            Map<String, Quota> tiers = new LinkedHashMap<>();
            config.plans().tiers().forEach((name, tier) -> tiers.put(name, Quota.of(config.algorithm(), tier)));
            this.tierQuotas = Map.copyOf(tiers);
            this.quota = null;
        } else {
            this.tierQuotas = Map.of();
            this.quota = Quota.of(config.algorithm(), config.quota());
        }
        this.match = new LimitMatch(config);
        this.keys = new KeyResolver(config);
        this.shadowReport = new ShadowReport(config.name(), scope);
        CounterSetup setup = new CounterSetup(owner, scope, config, stats, clock);
        this.counter = cluster == null || config.mode() == Mode.LOCAL ? new LocalCounter(setup)
                : config.mode() == Mode.STRICT ? new StrictClusterCounter(setup, cluster)
                : new FastLeaseCounter(setup, cluster);
    }

    /**
     * The counter's key in the cluster: owner (domain or edge), scope, limit name, algorithm and
     * window (a changed algorithm or window must not read state written under the other), then the
     * request's key.
     */
    static String clusterKey(String owner, String scope, RateLimitConfig config, Quota quota, String key) {
        return owner + "/" + scope + "/" + config.name() + "/" + config.algorithm().text() + "-"
                + quota.windowSeconds() + "s/" + key;
    }

    RateLimitConfig config() {
        return config;
    }

    RateLimitStats stats() {
        return stats;
    }

    boolean enforced() {
        return config.enforce();
    }

    /** True for strict and fast limits that have a cluster to talk to. */
    boolean clustered() {
        return !(counter instanceof LocalCounter);
    }

    /** Whether this limit applies to the request at all ({@code match}). */
    boolean applies(Exchange ex) {
        return match.applies(ex);
    }

    Decision decide(Exchange ex) {
        String tier = keys.tier(ex);
        return decide(tier, keys.key(ex, tier));
    }

    /** The decision for a computed key ({@code tier} null unless the limit has plans). */
    Decision decide(String tier, String key) {
        Quota q = tier == null ? quota : tierQuotas.get(tier);
        return counter.decide(this, q, tier, key, clock.getAsLong());
    }

    /** Fast mode's periodic reconciliation with the cluster (nothing for the other modes). */
    void reconcile() {
        counter.reconcile();
    }

    /** Drops keys unused for longer than their counters matter (and that hold no permits). */
    void sweep() {
        counter.sweep();
    }

    int trackedKeys() {
        return counter.trackedKeys();
    }

    /** A shadow limit would have rejected the request: counted, and logged at most every 10 s. */
    void shadowRejected(Exchange ex) {
        stats.shadowRejected.increment();
        shadowReport.rejected(ex);
    }

    Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", config.name());
        m.put("scope", scope);
        m.put("mode", config.mode().text());
        m.put("algorithm", config.algorithm().text());
        if (config.quota() != null) {
            m.put("limit", config.quota().limit());
            m.put("window", RateLimitConfig.Durations.text(config.quota().window()));
            if (config.algorithm() == RateLimitConfig.Algorithm.TOKEN_BUCKET) {
                m.put("burst", config.quota().burst());
            }
        } else {
            Map<String, Object> tiers = new LinkedHashMap<>();
            config.plans().tiers().forEach((n, t) -> tiers.put(n, Map.of("limit", t.limit(), "window",
                    RateLimitConfig.Durations.text(t.window()), "burst", t.burst())));
            m.put("plans", tiers);
        }
        m.put("key", config.key().stream().map(KeyPart::text).toList());
        m.put("enforce", config.enforce());
        m.put("counters", counter.status());
        m.put("trackedKeys", counter.trackedKeys());
        m.putAll(stats.toMap());
        return m;
    }

    /**
     * One limit's verdict on one request:
     *
     * <ul>
     *   <li>{@link Allowed}: a permit was counted; {@link #refund} gives it back to where it was
     *       counted, when another limit rejects the request.
     *   <li>{@link Limited}: an enforced limit says no: the request is answered 429.
     *   <li>{@link Shadow}: a shadow limit ({@code enforce: false}) would have said no: counted and
     *       logged, and the request goes on.
     * </ul>
     *
     * {@link #degraded} marks a decision made on this instance's share of the limit because the
     * cluster could not be asked (fail open to local counting, see {@link ClusterFallback}).
     */
    abstract static sealed class Decision permits Decision.Allowed, Decision.Limited, Decision.Shadow {
        final RateLimiter limiter;
        final TrackedKey ks;
        /** True exactly for {@link Allowed}. */
        final boolean allowed;
        /** Permits left after this decision. */
        final long remaining;
        /** Allowed: time until one more permit is available (0 when nothing is used); otherwise until the request would pass (Retry-After). */
        final long waitNanos;
        /** The window the permit belongs to (sliding window; 0 for the token bucket). */
        final long window;
        final boolean degraded;

        private Decision(RateLimiter limiter, TrackedKey ks, boolean allowed, long remaining, long waitNanos,
                         long window, boolean degraded) {
            this.limiter = limiter;
            this.ks = ks;
            this.allowed = allowed;
            this.remaining = remaining;
            this.waitNanos = waitNanos;
            this.window = window;
            this.degraded = degraded;
        }

        /** The decision a counter's grant means: allowed if anything was granted. */
        static Decision of(RateLimiter limiter, TrackedKey ks, Quota.Grant g, PermitLedger ledger, boolean degraded) {
            return g.granted() > 0
                    ? allowed(limiter, ks, g.remaining(), g.waitNanos(), g.window(), ledger, degraded)
                    : limited(limiter, ks, g.remaining(), g.waitNanos(), g.window(), degraded);
        }

        static Decision allowed(RateLimiter limiter, TrackedKey ks, long remaining, long waitNanos, long window,
                                PermitLedger ledger, boolean degraded) {
            return new Allowed(limiter, ks, remaining, waitNanos, window, ledger, degraded);
        }

        /** A rejection: {@link Limited} if the limit is enforced, else {@link Shadow}. */
        static Decision limited(RateLimiter limiter, TrackedKey ks, long remaining, long waitNanos, long window,
                                boolean degraded) {
            return limiter.enforced()
                    ? new Limited(limiter, ks, remaining, waitNanos, window, degraded)
                    : new Shadow(limiter, ks, remaining, waitNanos, window, degraded);
        }

        String policy() {
            return ks.policy;
        }

        Quota quota() {
            return ks.quota;
        }

        /** Whether the decision was made on the local fallback share because the cluster could not be asked. */
        boolean degraded() {
            return degraded;
        }

        /**
         * Another limit rejected the request: give this permit back, so a rejected request costs
         * nothing in the limits it passed. Nothing to give back unless allowed.
         */
        void refund() {
        }

        /** A permit was counted in {@code ledger}. */
        static final class Allowed extends Decision {
            private final PermitLedger ledger;

            private Allowed(RateLimiter limiter, TrackedKey ks, long remaining, long waitNanos, long window,
                            PermitLedger ledger, boolean degraded) {
                super(limiter, ks, true, remaining, waitNanos, window, degraded);
                this.ledger = ledger;
            }

            /** Time until one more permit is available: the {@code t} of the RateLimit header. */
            long resetNanos() {
                return waitNanos;
            }

            @Override
            void refund() {
                ledger.giveBack(ks, window);
            }
        }

        /** An enforced limit rejected the request. */
        static final class Limited extends Decision {
            private Limited(RateLimiter limiter, TrackedKey ks, long remaining, long waitNanos, long window, boolean degraded) {
                super(limiter, ks, false, remaining, waitNanos, window, degraded);
            }

            /** Time until the request would pass: Retry-After. */
            long retryAfterNanos() {
                return waitNanos;
            }
        }

        /** A shadow limit would have rejected the request; it goes on. */
        static final class Shadow extends Decision {
            private Shadow(RateLimiter limiter, TrackedKey ks, long remaining, long waitNanos, long window, boolean degraded) {
                super(limiter, ks, false, remaining, waitNanos, window, degraded);
            }
        }
    }
}
