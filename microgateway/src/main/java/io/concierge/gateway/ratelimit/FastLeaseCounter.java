package io.concierge.gateway.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Mode {@code fast}: this instance holds a lease of permits taken from the cluster counter and
 * decides locally against it; the lease is renewed in the background when it runs low and
 * reconciled every {@code sync-interval} (unused permits go back). Every admitted request was
 * granted by the cluster first, so the cluster-wide total never exceeds the limit; a request waits
 * for the cluster only when this instance holds no permit for its key (a key's first request, a new
 * window, or an exhausted lease that the background renewal did not refill in time).
 */
final class FastLeaseCounter extends Counter<LeasedKey> {
    /** A lease covers about this much of a key's demand (capped at a quarter of the fair share). */
    static final double LEASE_SECONDS = 30.0;
    /** A key's permits go back to the cluster after this long without requests (at least 3 intervals). */
    static final double IDLE_RETURN_SECONDS = 5.0;

    private final ClusterCounters cluster;
    private final ClusterFallback fallback;
    private final long timeoutNanos;
    private final long syncNanos;
    private final double intervalSeconds;
    private final int idleReturnIntervals;
    private final double rateWeight;

    FastLeaseCounter(CounterSetup setup, ClusterCounters cluster) {
        super(setup);
        this.cluster = cluster;
        this.fallback = new ClusterFallback(setup, cluster);
        this.timeoutNanos = setup.config().clusterTimeout().toNanos();
        this.syncNanos = setup.config().syncInterval().toNanos();
        this.intervalSeconds = syncNanos / 1e9;
        this.idleReturnIntervals = (int) Math.max(3, Math.ceil(IDLE_RETURN_SECONDS / intervalSeconds));
        this.rateWeight = Math.min(1.0, intervalSeconds);
    }

    @Override
    public LeasedKey create(String key, Quota quota, String tier) {
        return new LeasedKey(quota, tier, setup.clusterKey(quota, key), setup.policy(tier));
    }

    @Override
    public RateLimiter.Decision decide(RateLimiter limiter, Quota quota, String tier, String key, long now) {
        LeasedKey k = keys.track(key, quota, tier, now);
        if (fallback.needed(k, now)) {
            return fallback.decide(limiter, k, now);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        boolean counted = false;
        while (true) {
            CompletableFuture<Void> pending;
            synchronized (k) {
                if (!counted) {
                    k.demand++;
                    counted = true;
                }
                k.roll(k.quota.windowOf(now));
                if (k.tokens > 0) {
                    k.tokens--;
                    if (k.inflight == null && now >= k.exhaustedUntil && k.tokens * 2 <= want(k)) {
                        // Running low: renew in the background, the request does not wait.
                        renew(k, now);
                    }
                    long remaining = k.tokens + k.clusterRemaining;
                    long wait = remaining >= k.quota.limit() ? 0 : Math.max(0, k.nextFreeAt - now);
                    return RateLimiter.Decision.allowed(limiter, k, remaining, wait, k.window, this, false);
                }
                if (now < k.exhaustedUntil) {
                    return RateLimiter.Decision.limited(limiter, k, 0, Math.max(1, k.nextFreeAt - now), k.window, false);
                }
                // No permit in hand (a new key, a new window, or demand outran the lease): this one
                // request waits for a renewal, or joins the one already under way. (A renewal that
                // fails at once has completed, and cleared inflight, on return.)
                pending = k.inflight != null ? k.inflight : renew(k, now);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                // Renewals kept arriving but concurrent requests took the permits: not a cluster
                // failure, but this request has waited its budget.
                return fallback.decide(limiter, k, now);
            }
            try {
                pending.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                fallback.failed(k, e);
                return fallback.decide(limiter, k, now);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fallback.decide(limiter, k, now);
            } catch (ExecutionException e) {
                return fallback.decide(limiter, k, now);
            }
            now = setup.clock().getAsLong();
            if (fallback.needed(k, now)) {
                return fallback.decide(limiter, k, now);
            }
        }
    }

    /** A refunded permit goes back into the lease, if the lease is still for its window. */
    @Override
    public void giveBack(TrackedKey key, long window) {
        LeasedKey k = (LeasedKey) key;
        synchronized (k) {
            if (k.window == window) {
                k.tokens++;
            }
        }
    }

    /**
     * How many permits to hold: this key's demand over {@link #LEASE_SECONDS} (renewed in the
     * background at half, so a busy key costs one cluster call every couple of seconds and never
     * waits), at least 2, at most a quarter of this instance's fair share of the limit, so no
     * instance sits on permits the others need: the permits held by all instances together never
     * exceed a quarter of the limit (the bound on how far below the limit fast mode can end up).
     */
    private long want(LeasedKey k) {
        double perSecond = Math.max(k.rate, k.demand / intervalSeconds);
        long capacity = k.quota instanceof TokenBucketQuota tb ? tb.burst() : k.quota.limit();
        long cap = Math.max(1, capacity / (4L * cluster.peers()));
        long wanted = (long) Math.ceil(perSecond * LEASE_SECONDS);
        return Math.max(1, Math.min(cap, Math.max(2, wanted)));
    }

    /** A renewal of one key (caller holds the lock): give back what is due, top up to {@link #want}. */
    private CompletableFuture<Void> renew(LeasedKey k, long now) {
        return renew(k, now, Math.max(0, want(k) - k.tokens));
    }

    private CompletableFuture<Void> renew(LeasedKey k, long now, long want) {
        long giveBack = k.returnTokens;
        long giveBackWindow = k.returnWindow;
        k.returnTokens = 0;
        CompletableFuture<Void> done = new CompletableFuture<>();
        k.inflight = done;
        setup.stats().clusterCalls.increment();
        cluster.takeAsync(k.clusterKey, new ClusterTake(k.quota, now, want, want > 0 ? 1 : 0, giveBack, giveBackWindow))
                .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
                .whenCompleteAsync((g, err) -> {
                    if (err != null) {
                        fallback.failed(k, err);
                    }
                    synchronized (k) {
                        k.inflight = null;
                        if (err == null) {
                            cluster.succeeded();
                            k.apply(want, g, setup.clock().getAsLong(), syncNanos);
                        }
                    }
                    done.complete(null);
                }, ClusterCounters.DIRECT);
        return done;
    }

    /**
     * Every sync interval, the reconciliation: measure each key's demand; give back everything held
     * by keys that went idle ({@link #IDLE_RETURN_SECONDS}) and the permits of a past window, so
     * permits do not sit where they are not needed. (Busy keys are topped up as they consume, see
     * {@link #decide}; what one key holds is capped, see {@link #want}.)
     */
    @Override
    public void reconcile() {
        boolean usable = cluster.available();
        long now = setup.clock().getAsLong();
        for (LeasedKey k : keys.values()) {
            synchronized (k) {
                long demand = k.demand;
                k.demand = 0;
                double perSecond = demand / intervalSeconds;
                // Smoothed over about a second whatever the interval.
                k.rate = k.rate == 0 ? perSecond : k.rate + (perSecond - k.rate) * rateWeight;
                k.idleIntervals = demand == 0 ? k.idleIntervals + 1 : 0;
                if (!usable || k.inflight != null || now < k.backoffUntil) {
                    continue;
                }
                k.roll(k.quota.windowOf(now));
                if (k.idleIntervals >= idleReturnIntervals) {
                    k.releaseAll();
                }
                if (k.returnTokens > 0) {
                    renew(k, now, 0);
                }
            }
        }
    }

    @Override
    public boolean busy(LeasedKey k) {
        return k.inflight != null;
    }

    @Override
    public boolean holdsPermits(LeasedKey k) {
        return k.tokens != 0 || k.returnTokens != 0;
    }

    /**
     * The permits an evicted key held go back to the cluster, as an idle key's do. Without a
     * cluster, a held lease is simply not returned (the cluster counted it used: conservative).
     */
    @Override
    public void evicted(LeasedKey k, long now) {
        if (!cluster.available()) {
            return;
        }
        synchronized (k) {
            if (k.inflight != null) {
                return;
            }
            k.roll(k.quota.windowOf(now));
            k.releaseAll();
            if (k.returnTokens > 0) {
                renew(k, now, 0);
            }
        }
    }


    @Override
    public String status() {
        return fallback.status();
    }
}
