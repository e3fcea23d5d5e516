package io.concierge.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.YamlSource;

/** The local counting mode with a hand-moved clock: counts per key, gives refunds back, expires keys. */
class LocalCounterTest {
    private static final long S = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1_800_000_000L * S);

    static RateLimitConfig config(String entry) {
        return RateLimitConfig.readAll(YamlSource.parse("t.yaml", "rate-limits:\n  - " + entry, k -> null),
                "rate-limits").get(0);
    }

    @Test
    void countsEachKeyOnItsOwnCounterAndTakesRefundsBack() {
        RateLimitConfig c = config("{name: a, limit: 2, window: 1m, mode: local}");
        RateLimiter limiter = new RateLimiter("shop", "route r", c, null, now::get);
        LocalCounter counter = new LocalCounter(new CounterSetup("shop", "route r", c, limiter.stats(), now::get));
        Quota q = Quota.of(c.algorithm(), c.quota());

        RateLimiter.Decision first = counter.decide(limiter, q, null, "k", now.get());
        assertInstanceOf(RateLimiter.Decision.Allowed.class, first);
        assertEquals(1, first.remaining);
        assertInstanceOf(RateLimiter.Decision.Allowed.class, counter.decide(limiter, q, null, "k", now.get()));
        RateLimiter.Decision third = counter.decide(limiter, q, null, "k", now.get());
        assertInstanceOf(RateLimiter.Decision.Limited.class, third);
        assertInstanceOf(RateLimiter.Decision.Allowed.class, counter.decide(limiter, q, null, "other", now.get()));

        first.refund();
        assertInstanceOf(RateLimiter.Decision.Allowed.class, counter.decide(limiter, q, null, "k", now.get()),
                "the refunded permit is back on the key's counter");
        assertEquals("shop/route r/a/sliding-window-60s/k", first.ks.clusterKey);
        assertEquals("local", counter.status());
        assertEquals(2, counter.trackedKeys());
    }

    @Test
    void sweepForgetsAKeyOnceTwoWindowsPassedWithoutARequest() {
        RateLimitConfig c = config("{name: a, limit: 2, window: 1s, mode: local}");
        RateLimiter limiter = new RateLimiter("shop", "edge", c, null, now::get);
        LocalCounter counter = new LocalCounter(new CounterSetup("shop", "edge", c, limiter.stats(), now::get));
        counter.decide(limiter, Quota.of(c.algorithm(), c.quota()), null, "k", now.get());
        now.addAndGet(S + S / 2);
        counter.sweep();
        assertEquals(1, counter.trackedKeys(), "the previous window still weighs on the sliding window");
        now.addAndGet(S);
        counter.sweep();
        assertEquals(0, counter.trackedKeys());
    }
}
