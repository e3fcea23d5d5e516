package io.concierge.gateway.ratelimit;

/**
 * Mode {@code strict}: one {@link ClusterTake} per request on the key's partition owner, waiting at
 * most {@code cluster-timeout}; exact. A refund is one more call, not awaited.
 */
final class StrictClusterCounter extends Counter<ClusterFallback.Key> {
    private final ClusterCounters cluster;
    private final ClusterFallback fallback;
    private final long timeoutNanos;

    StrictClusterCounter(CounterSetup setup, ClusterCounters cluster) {
        super(setup);
        this.cluster = cluster;
        this.fallback = new ClusterFallback(setup, cluster);
        this.timeoutNanos = setup.config().clusterTimeout().toNanos();
    }

    @Override
    public ClusterFallback.Key create(String key, Quota quota, String tier) {
        return new ClusterFallback.Key(quota, tier, setup.clusterKey(quota, key), setup.policy(tier));
    }

    @Override
    public RateLimiter.Decision decide(RateLimiter limiter, Quota quota, String tier, String key, long now) {
        ClusterFallback.Key k = keys.track(key, quota, tier, now);
        if (fallback.needed(k, now)) {
            return fallback.decide(limiter, k, now);
        }
        Quota.Grant g;
        try {
            setup.stats().clusterCalls.increment();
            g = cluster.take(k.clusterKey, new ClusterTake(k.quota, now, 1, 1, 0, 0), timeoutNanos);
            cluster.succeeded();
        } catch (Exception e) {
            fallback.failed(k, e);
            return fallback.decide(limiter, k, now);
        }
        return RateLimiter.Decision.of(limiter, k, g, this, false);
    }

    @Override
    public void giveBack(TrackedKey key, long window) {
        setup.stats().clusterCalls.increment();
        cluster.takeAsync(key.clusterKey, new ClusterTake(key.quota, setup.clock().getAsLong(), 0, 0, 1, window));
    }


    @Override
    public String status() {
        return fallback.status();
    }
}
