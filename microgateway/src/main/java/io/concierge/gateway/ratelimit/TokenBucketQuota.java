package io.concierge.gateway.ratelimit;

/**
 * Token bucket as GCRA (the generic cell rate algorithm): the state is one number, the theoretical
 * arrival time (TAT) of the next request if every earlier one had been spaced exactly at the
 * emission interval {@code T = window / limit}. A request is conforming if admitting it moves the
 * TAT no further than {@code burst × T} ahead of now. Equivalent to a bucket of {@code burst}
 * tokens refilled at {@code limit} per {@code window}, without a refill timer.
 *
 * <p>Accuracy: exact. In any interval of length {@code d}, at most {@code burst + d / T} requests
 * are admitted. The only rounding is {@code T} to whole nanoseconds (a relative error below 10^-9).
 * Admitting a granted permit later than it was granted is always conforming, which is what makes
 * fast-mode leases safe for this algorithm.
 */
record TokenBucketQuota(long limit, long windowNanos, long burst, long interval) implements Quota {

    TokenBucketQuota(long limit, long windowNanos, long burst) {
        this(limit, windowNanos, burst, Math.max(1, windowNanos / limit));
    }

    private long tolerance() {
        return burst * interval;
    }

    @Override
    public long[] newState() {
        return new long[] {0};
    }

    @Override
    public long windowOf(long now) {
        return 0;
    }

    @Override
    public long windowSeconds() {
        return windowNanos / 1_000_000_000L;
    }

    @Override
    public Quota share(int share) {
        int s = Math.max(1, share);
        return new TokenBucketQuota(Math.max(1, limit / s), windowNanos, Math.max(1, burst / s));
    }

    @Override
    public Grant take(long[] s, long now, long want, long min) {
        long base = Math.max(s[0], now);
        long headroom = now + tolerance() - base;
        long available = headroom <= 0 ? 0 : headroom / interval;
        long n = Math.min(want, available);
        if (n < min || n <= 0) {
            long need = Math.min(Math.max(1, min), burst);
            return new Grant(0, available, Math.max(0, base + need * interval - tolerance() - now), 0);
        }
        s[0] = base + n * interval;
        long remaining = available - n;
        return new Grant(n, remaining, untilNext(s[0], now, remaining), 0);
    }

    /** Time until one more token than {@code remaining} is in the bucket; 0 when it is full. */
    private long untilNext(long tat, long now, long remaining) {
        if (remaining >= burst) {
            return 0;
        }
        return Math.max(0, tat + (remaining + 1) * interval - tolerance() - now);
    }

    @Override
    public void giveBack(long[] s, long now, long count, long window) {
        s[0] -= count * interval;
    }

    @Override
    public long retainMillis(long[] s, long now) {
        return Math.max(1000, (s[0] - now) / 1_000_000 + 1000);
    }
}
