package io.concierge.gateway.ratelimit;

/**
 * The arithmetic of one rate-limit algorithm over a small {@code long[]} state. Pure functions of
 * (state, now): the same code runs in a local counter, inside the cluster's entry processor on the
 * partition owner, and in unit tests with a hand-moved clock. Times are epoch nanoseconds, so
 * states written by different members (one machine's clock each) stay comparable.
 *
 * <p>{@link #take} is the one mutating primitive: it grants up to {@code want} permits, or nothing
 * if fewer than {@code min} are available. A strict decision is {@code take(1, 1)}; a fast-mode
 * lease is {@code take(n, 1)}. {@link #giveBack} returns permits that were granted but not used.
 */
sealed interface Quota permits SlidingWindowQuota, TokenBucketQuota {

    /** A fresh state: nothing used. */
    long[] newState();

    Grant take(long[] state, long now, long want, long min);

    /**
     * Returns {@code count} permits granted in window {@code window} (sliding window; ignored by the
     * token bucket) that were never used.
     */
    void giveBack(long[] state, long now, long count, long window);

    /** The window a permit granted now belongs to (the token bucket has one: 0). */
    long windowOf(long now);

    /** How long the state must be kept: after this, it equals a fresh state. */
    long retainMillis(long[] state, long now);

    /** The quota in requests per window, for {@code RateLimit-Policy: q=}. */
    long limit();

    /** The window in whole seconds, for {@code RateLimit-Policy: w=}. */
    long windowSeconds();

    /** The same algorithm with limit (and burst) divided by {@code share}, at least 1. */
    Quota share(int share);

    /**
     * The result of a take.
     *
     * @param granted   permits granted (0 = rejected)
     * @param remaining permits still available after this take
     * @param waitNanos if rejected: time until {@code min} permits are available (Retry-After);
     *                  otherwise time until one more permit is available (the {@code t} of the
     *                  RateLimit header; 0 when nothing is used)
     * @param window    the window the granted permits belong to
     */
    record Grant(long granted, long remaining, long waitNanos, long window) {
        long[] toArray() {
            return new long[] {granted, remaining, waitNanos, window};
        }

        static Grant of(long[] a) {
            return new Grant(a[0], a[1], a[2], a[3]);
        }
    }

    static Quota of(RateLimitConfig.Algorithm algorithm, RateLimitConfig.Tier tier) {
        return switch (algorithm) {
            case SLIDING_WINDOW -> new SlidingWindowQuota(tier.limit(), tier.window().toMillis());
            case TOKEN_BUCKET -> new TokenBucketQuota(tier.limit(), tier.window().toNanos(), tier.burst());
        };
    }
}
