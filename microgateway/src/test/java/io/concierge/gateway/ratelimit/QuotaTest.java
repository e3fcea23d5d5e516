package io.concierge.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;

import org.junit.jupiter.api.Test;

/**
 * The two algorithms with a hand-moved clock (epoch nanoseconds): exact decisions, Retry-After and
 * reset values, give-back, and the accuracy claims of docs/rate-limiting.md.
 */
class QuotaTest {
    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;
    /** A window boundary for 60 s windows (a multiple of 60 s since the epoch). */
    private static final long T0 = 1_800_000_000L * S;

    private static boolean allow(Quota q, long[] state, long now) {
        return q.take(state, now, 1, 1).granted() == 1;
    }

    // --- sliding window -----------------------------------------------------------------------

    @Test
    void slidingWindowAdmitsTheLimitThenRejectsWithTheTimeUntilAPermitFrees() {
        Quota q = new SlidingWindowQuota(10, 60_000);
        long[] s = q.newState();
        for (int i = 0; i < 10; i++) {
            Quota.Grant g = q.take(s, T0 + i * S, 1, 1);
            assertEquals(1, g.granted());
            assertEquals(9 - i, g.remaining());
        }
        Quota.Grant no = q.take(s, T0 + 10 * S, 1, 1);
        assertEquals(0, no.granted());
        assertEquals(0, no.remaining());
        // Nothing in the previous window, all 10 in this one: the first permit frees when the window
        // ends and its count starts to decay: at 60 s + 6 s (10 × (1 − 6/60) = 9).
        assertEquals(56 * S, no.waitNanos());
        assertTrue(allow(q, s, T0 + 66 * S));
        assertTrue(!allow(q, s, T0 + 66 * S));
    }

    @Test
    void slidingWindowWeightsThePreviousWindowByItsOverlap() {
        Quota q = new SlidingWindowQuota(10, 60_000);
        long[] s = q.newState();
        for (int i = 0; i < 10; i++) {
            assertTrue(allow(q, s, T0));
        }
        // Half way into the next window the previous 10 count as 5: five more are admitted.
        long half = T0 + 90 * S;
        int admitted = 0;
        while (allow(q, s, half)) {
            admitted++;
        }
        assertEquals(5, admitted);
        // 10 × (1 − e/60) + 5 ≤ 9 needs e ≥ 36 s: 6 s from now.
        assertEquals(6 * S, q.take(s, half, 1, 1).waitNanos());
    }

    @Test
    void slidingWindowResetValueIsTheTimeUntilOneMorePermit() {
        Quota q = new SlidingWindowQuota(10, 60_000);
        long[] s = q.newState();
        Quota.Grant first = q.take(s, T0, 1, 1);
        assertEquals(9, first.remaining());
        // Remaining goes back to 10 only when the one used permit has fully decayed: the end of
        // the next window.
        assertEquals(120 * S, first.waitNanos());
        // A fresh key two windows later is as new.
        Quota.Grant later = q.take(s, T0 + 121 * S, 1, 1);
        assertEquals(9, later.remaining());
    }

    @Test
    void slidingWindowGivesBackToTheWindowThePermitsCameFrom() {
        Quota q = new SlidingWindowQuota(10, 60_000);
        long[] s = q.newState();
        Quota.Grant lease = q.take(s, T0, 8, 1);
        assertEquals(8, lease.granted());
        assertEquals(2, lease.remaining());
        q.giveBack(s, T0 + S, 5, lease.window());
        assertEquals(7, q.take(s, T0 + S, 100, 1).granted());
        // Permits of the previous window go back into the previous window's count.
        long[] t = q.newState();
        Quota.Grant old = q.take(t, T0, 10, 1);
        q.giveBack(t, T0 + 60 * S, 10, old.window());
        assertEquals(10, q.take(t, T0 + 60 * S, 100, 1).granted());
    }

    @Test
    void slidingWindowLeaseIsAllOrNothingBelowTheMinimum() {
        Quota q = new SlidingWindowQuota(10, 60_000);
        long[] s = q.newState();
        assertEquals(10, q.take(s, T0, 25, 1).granted());
        Quota.Grant none = q.take(s, T0, 3, 3);
        assertEquals(0, none.granted());
    }

    /**
     * Traffic spread evenly at exactly the limit's rate for ten windows: every sliding window of
     * length W (checked at every request) holds at most the limit.
     */
    @Test
    void slidingWindowIsExactForEvenTraffic() {
        int limit = 100;
        Quota q = new SlidingWindowQuota(limit, 60_000);
        long[] s = q.newState();
        long spacing = 60 * S / limit;
        Deque<Long> admitted = new ArrayDeque<>();
        int total = 0;
        for (long t = T0; t < T0 + 600 * S; t += spacing / 2) {
            if (allow(q, s, t)) {
                admitted.addLast(t);
                total++;
                while (admitted.peekFirst() <= t - 60 * S) {
                    admitted.removeFirst();
                }
                assertTrue(admitted.size() <= limit, "window ending " + (t - T0) / MS + " ms holds " + admitted.size());
            }
        }
        // Offered at twice the rate: about the limit per window is admitted over 10 windows.
        assertTrue(total >= 10 * limit - limit && total <= 10 * limit + limit, "admitted " + total);
    }

    /**
     * The documented worst case: the previous window's whole count at its very end, then steady
     * demand: the sliding window ending just before the next boundary holds under twice the limit.
     */
    @Test
    void slidingWindowAdversarialWorstCaseStaysBelowTwiceTheLimit() {
        int limit = 100;
        Quota q = new SlidingWindowQuota(limit, 60_000);
        long[] s = q.newState();
        long endOfFirst = T0 + 60 * S - MS;
        int burst = 0;
        while (allow(q, s, endOfFirst)) {
            burst++;
        }
        assertEquals(limit, burst);
        int later = 0;
        for (long t = T0 + 60 * S; t < T0 + 120 * S - MS; t += 10 * MS) {
            if (allow(q, s, t)) {
                later++;
            }
        }
        int inOneSlidingWindow = burst + later;
        assertTrue(inOneSlidingWindow > limit, "the approximation does admit more than the limit here");
        assertTrue(inOneSlidingWindow < 2 * limit, "but never twice the limit: " + inOneSlidingWindow);
    }

    // --- token bucket (GCRA) ----------------------------------------------------------------------

    @Test
    void tokenBucketAdmitsTheBurstThenOnePerInterval() {
        // 60 per minute = one per second, bucket of 5.
        Quota q = new TokenBucketQuota(60, 60 * S, 5);
        long[] s = q.newState();
        for (int i = 0; i < 5; i++) {
            Quota.Grant g = q.take(s, T0, 1, 1);
            assertEquals(1, g.granted());
            assertEquals(4 - i, g.remaining());
        }
        Quota.Grant no = q.take(s, T0, 1, 1);
        assertEquals(0, no.granted());
        assertEquals(S, no.waitNanos());
        assertTrue(!allow(q, s, T0 + S - 1));
        assertTrue(allow(q, s, T0 + S));
        assertTrue(!allow(q, s, T0 + S));
        // Idle long enough, the bucket is full again (and never more than full).
        Quota.Grant full = q.take(s, T0 + 3600 * S, 1, 1);
        assertEquals(4, full.remaining());
    }

    @Test
    void tokenBucketResetValueIsTheTimeUntilTheNextToken() {
        Quota q = new TokenBucketQuota(60, 60 * S, 5);
        long[] s = q.newState();
        Quota.Grant g = q.take(s, T0, 1, 1);
        assertEquals(4, g.remaining());
        assertEquals(S, g.waitNanos());
        q.take(s, T0 + S, 1, 1);
        assertEquals(0, q.take(s, T0 + 3 * S, 0, 0).waitNanos(), "a full bucket has nothing pending");
    }

    /** GCRA is exact: in every interval of length d at most burst + d/T requests get through. */
    @Test
    void tokenBucketIsExactInEveryInterval() {
        long interval = 100 * MS;
        Quota q = new TokenBucketQuota(10, S, 5);
        long[] s = q.newState();
        long[] admitted = new long[2000];
        int n = 0;
        // Bursty demand: 7 requests every 350 ms.
        for (long t = T0; t < T0 + 60 * S; t += 350 * MS) {
            for (int i = 0; i < 7; i++) {
                if (allow(q, s, t)) {
                    admitted[n++] = t;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                long d = admitted[j] - admitted[i];
                assertTrue(j - i + 1 <= 5 + d / interval, "interval " + d / MS + " ms holds " + (j - i + 1));
            }
        }
        // Long-run rate: 10/s over 60 s plus the initial burst (the bucket holds the 3.5 tokens that
        // accrue between groups, so none is wasted).
        assertTrue(n >= 600 - 10 && n <= 600 + 5, "admitted " + n);
    }

    @Test
    void tokenBucketLeaseAndGiveBack() {
        Quota q = new TokenBucketQuota(100, S, 50);
        long[] s = q.newState();
        assertEquals(50, q.take(s, T0, 80, 1).granted());
        q.giveBack(s, T0, 20, 0);
        assertEquals(20, q.take(s, T0, 80, 1).granted());
        assertEquals(0, q.take(s, T0, 1, 1).granted());
        assertEquals(1, q.take(s, T0 + 10 * MS, 1, 1).granted());
    }

    @Test
    void aShareDividesLimitAndBurstButNeverBelowOne() {
        assertEquals(new SlidingWindowQuota(3, 60_000), new SlidingWindowQuota(10, 60_000).share(3));
        assertEquals(new SlidingWindowQuota(1, 60_000), new SlidingWindowQuota(2, 60_000).share(5));
        TokenBucketQuota tb = (TokenBucketQuota) new TokenBucketQuota(100, 60 * S, 20).share(4);
        assertEquals(25, tb.limit());
        assertEquals(5, tb.burst());
    }

    @Test
    void statesExpireWhenTheyNoLongerMatter() {
        Quota sw = new SlidingWindowQuota(10, 60_000);
        long[] s = sw.newState();
        sw.take(s, T0 + 10 * S, 1, 1);
        // Counted in [T0, T0+60s): matters until T0+120s, i.e. 110 s from now.
        assertEquals(110_000, sw.retainMillis(s, T0 + 10 * S));
        Quota tb = new TokenBucketQuota(60, 60 * S, 5);
        long[] t = tb.newState();
        tb.take(t, T0, 5, 1);
        assertEquals(6_000, tb.retainMillis(t, T0));
    }
}
