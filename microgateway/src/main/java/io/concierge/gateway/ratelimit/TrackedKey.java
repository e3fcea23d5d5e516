package io.concierge.gateway.ratelimit;

/**
 * One key this instance counts for a limit: what every counting mode needs to know about it. Each
 * {@link Counter} keeps its own per-key state in a subclass. The key's monitor guards that state
 * (one lock per key: requests for different keys never contend).
 */
abstract class TrackedKey {
    final Quota quota;
    /** The usage-plan tier, null without plans. */
    final String tier;
    /** The counter's key in the cluster ({@link RateLimiter#clusterKey}). */
    final String clusterKey;
    /** The policy's name in the headers: the limit's, with the tier for usage plans. */
    final String policy;
    /** This key's item of {@code RateLimit-Policy}, formatted once. */
    final String policyItem;
    /** Clock time of the last request, for eviction and expiry. */
    volatile long lastUsed;

    TrackedKey(Quota quota, String tier, String clusterKey, String policy) {
        this.quota = quota;
        this.tier = tier;
        this.clusterKey = clusterKey;
        this.policy = policy;
        this.policyItem = RateLimitResponses.policyItem(policy, quota);
    }

    /** How long this key must be remembered after its last request: after that its counter equals a fresh one. */
    long retainMillis(long minMillis) {
        long r = 2 * quota.windowSeconds() * 1000;
        if (quota instanceof TokenBucketQuota tb) {
            r = Math.max(r, tb.burst() * tb.interval() / 1_000_000);
        }
        return Math.max(r, minMillis);
    }
}
