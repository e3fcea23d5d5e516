package io.concierge.gateway.ratelimit;

/** Mode {@code local} (or no cluster in this process): each key's counter lives on this instance. */
final class LocalCounter extends Counter<LocalCounter.Key> {

    LocalCounter(CounterSetup setup) {
        super(setup);
    }

    /** A key with its counter's state. */
    static final class Key extends TrackedKey {
        final long[] counts;

        Key(Quota quota, String tier, String clusterKey, String policy) {
            super(quota, tier, clusterKey, policy);
            this.counts = quota.newState();
        }
    }

    @Override
    public Key create(String key, Quota quota, String tier) {
        return new Key(quota, tier, setup.clusterKey(quota, key), setup.policy(tier));
    }

    @Override
    public RateLimiter.Decision decide(RateLimiter limiter, Quota quota, String tier, String key, long now) {
        Key k = keys.track(key, quota, tier, now);
        Quota.Grant g;
        synchronized (k) {
            g = k.quota.take(k.counts, now, 1, 1);
        }
        return RateLimiter.Decision.of(limiter, k, g, this, false);
    }

    @Override
    public void giveBack(TrackedKey key, long window) {
        Key k = (Key) key;
        long now = setup.clock().getAsLong();
        synchronized (k) {
            k.quota.giveBack(k.counts, now, 1, window);
        }
    }


    @Override
    public String status() {
        return "local";
    }
}
