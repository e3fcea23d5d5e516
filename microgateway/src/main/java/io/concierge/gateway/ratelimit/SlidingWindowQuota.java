package io.concierge.gateway.ratelimit;

/**
 * Sliding-window counter (the approximation Cloudflare, Kong and nginx-plus use): counts per fixed
 * window, and the estimate of the last {@code W} is {@code prev × (W − elapsed)/W + curr}, i.e. the
 * previous window's count weighted by how much of it still overlaps the sliding window. Two longs
 * of state instead of a log of timestamps.
 *
 * <p>Accuracy: exact when the previous window's requests were spread evenly; never more than
 * {@code limit} in any fixed window; in the adversarial worst case (the whole previous window's
 * count packed at its very end) a sliding interval of length {@code W} can contain up to just under
 * {@code 2 × limit}. docs/rate-limiting.md has the derivation and the measurements.
 *
 * <p>State: {@code [window index, count of the previous window, count of the current window]}.
 * The arithmetic is in integer milliseconds scaled by {@code W}, so it is exact: with limit ≤ 10^9
 * and W ≤ 24 h the products stay below 2^63.
 */
record SlidingWindowQuota(long limit, long windowMillis) implements Quota {
    private static final int IDX = 0;
    private static final int PREV = 1;
    private static final int CURR = 2;

    @Override
    public long[] newState() {
        return new long[] {0, 0, 0};
    }

    @Override
    public long windowOf(long now) {
        return Math.floorDiv(now / 1_000_000, windowMillis);
    }

    @Override
    public long windowSeconds() {
        return windowMillis / 1000;
    }

    @Override
    public Quota share(int share) {
        return new SlidingWindowQuota(Math.max(1, limit / Math.max(1, share)), windowMillis);
    }

    /** Moves the state to the window of {@code now}. */
    private void roll(long[] s, long idx) {
        if (s[IDX] == idx) {
            return;
        }
        if (s[IDX] == idx - 1) {
            s[PREV] = s[CURR];
        } else if (s[IDX] < idx) {
            s[PREV] = 0;
        } else {
            // A clock that went backwards (or a member with a slower clock): keep counting in the
            // newer window rather than forgetting what was used.
            return;
        }
        s[CURR] = 0;
        s[IDX] = idx;
    }

    /** Elapsed milliseconds into the state's current window. */
    private long elapsed(long[] s, long nowMillis) {
        long e = nowMillis - s[IDX] * windowMillis;
        return Math.max(0, Math.min(windowMillis, e));
    }

    /** Used permits scaled by W: prev × (W − e) + curr × W. */
    private long usedScaled(long[] s, long e) {
        return s[PREV] * (windowMillis - e) + s[CURR] * windowMillis;
    }

    @Override
    public Grant take(long[] s, long now, long want, long min) {
        long nowMillis = now / 1_000_000;
        roll(s, Math.floorDiv(nowMillis, windowMillis));
        long e = elapsed(s, nowMillis);
        long capacity = limit * windowMillis;
        long free = capacity - usedScaled(s, e);
        long available = free <= 0 ? 0 : free / windowMillis;
        long n = Math.min(want, available);
        if (n < min || n <= 0) {
            long wait = millisUntilFree(s, e, Math.max(1, min));
            return new Grant(0, available, wait * 1_000_000, s[IDX]);
        }
        s[CURR] += n;
        long remaining = available - n;
        long wait = remaining >= limit ? 0 : millisUntilFree(s, e, remaining + 1);
        return new Grant(n, remaining, wait * 1_000_000, s[IDX]);
    }

    /**
     * Milliseconds from elapsed {@code e} until {@code need} permits are free: solve
     * {@code prev × (W − e') + curr × W ≤ (limit − need) × W} for e' in this window, else in the next
     * one (where prev becomes curr), else two windows on (everything has decayed).
     */
    private long millisUntilFree(long[] s, long e, long need) {
        long w = windowMillis;
        need = Math.min(need, limit);
        long budget = (limit - need) * w;
        long prev = s[PREV];
        long curr = s[CURR];
        if (curr * w <= budget) {
            if (prev == 0) {
                return 0;
            }
            // prev × (w − e') ≤ budget − curr × w  →  e' ≥ w − (budget − curr × w) / prev
            long ePrime = w - Math.floorDiv(budget - curr * w, prev);
            return Math.max(0, ePrime - e);
        }
        // Next window: prev' = curr, curr' = 0: curr × (w − e'') ≤ budget.
        long toNext = w - e;
        long ePrime = w - Math.floorDiv(budget, curr);
        return toNext + Math.max(0, ePrime);
    }

    @Override
    public void giveBack(long[] s, long now, long count, long window) {
        roll(s, windowOf(now));
        if (window == s[IDX]) {
            s[CURR] = Math.max(0, s[CURR] - count);
        } else if (window == s[IDX] - 1) {
            s[PREV] = Math.max(0, s[PREV] - count);
        }
    }

    @Override
    public long retainMillis(long[] s, long now) {
        // The current window's count matters until the end of the next window.
        long end = (s[IDX] + 2) * windowMillis;
        return Math.max(1000, end - now / 1_000_000);
    }
}
