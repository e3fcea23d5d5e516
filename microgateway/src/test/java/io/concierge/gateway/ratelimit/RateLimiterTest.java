package io.concierge.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.YamlSource;

/**
 * One limiter in local mode with a hand-moved clock: decisions, refunds, usage-plan tiers, the
 * bounded key table and its expiry, and what health reports. (Strict, fast and the fallback need a
 * cluster: {@link ClusterRateLimitIT}.)
 */
class RateLimiterTest {
    private static final long S = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1_800_000_000L * S);

    private RateLimiter limiter(String entry) {
        RateLimitConfig c = RateLimitConfig.readAll(YamlSource.parse("t.yaml", "rate-limits:\n  - " + entry, k -> null),
                "rate-limits").get(0);
        return new RateLimiter("shop", "route r", c, null, now::get);
    }

    @Test
    void localLimitAdmitsTheLimitThenRejectsUntilAPermitFrees() {
        RateLimiter l = limiter("{name: a, limit: 3, window: 1m, mode: local}");
        for (int i = 0; i < 3; i++) {
            RateLimiter.Decision d = l.decide(null, "ip=1.2.3.4");
            assertTrue(d.allowed);
            assertEquals(2 - i, d.remaining);
        }
        RateLimiter.Decision no = l.decide(null, "ip=1.2.3.4");
        assertFalse(no.allowed);
        assertTrue(no.waitNanos > 0);
        assertTrue(l.decide(null, "ip=5.6.7.8").allowed, "another key has its own counter");
        now.addAndGet(no.waitNanos);
        assertTrue(l.decide(null, "ip=1.2.3.4").allowed, "allowed again exactly when Retry-After said");
    }

    @Test
    void aRefundGivesThePermitBack() {
        RateLimiter l = limiter("{name: a, limit: 2, mode: local}");
        RateLimiter.Decision d1 = l.decide(null, "k");
        RateLimiter.Decision d2 = l.decide(null, "k");
        assertTrue(d1.allowed && d2.allowed);
        assertFalse(l.decide(null, "k").allowed);
        d2.refund();
        assertTrue(l.decide(null, "k").allowed);
    }

    @Test
    void usagePlanTiersHaveTheirOwnQuotaAndPolicyName() {
        RateLimiter l = limiter("""
                {name: plan, mode: local, algorithm: token-bucket, plans: {default: free,
                    tiers: {free: {limit: 2, window: 1m, burst: 2}, pro: {limit: 5, window: 1m, burst: 5}},
                    consumers: {app: pro}}}""");
        int free = 0;
        while (l.decide("free", "free\u001fc=someone").allowed) {
            free++;
        }
        int pro = 0;
        RateLimiter.Decision last = null;
        while ((last = l.decide("pro", "pro\u001fc=app")).allowed) {
            pro++;
        }
        assertEquals(2, free);
        assertEquals(5, pro);
        assertEquals("plan-pro", last.policy());
        assertEquals(5, last.quota().limit());
    }

    /**
     * Issue 12, item 10: at max-keys a new key evicts the least recently used one instead of sharing
     * one overflow counter, so keys an attacker made up cannot refuse a newcomer's first request.
     */
    @Test
    void pastMaxKeysANewKeyEvictsTheLeastRecentlyUsedOneAndIsAdmitted() {
        RateLimiter l = limiter("{name: a, limit: 1, mode: local, max-keys: 100}");
        l.decide(null, "ip=192.0.2.1");
        for (int i = 0; i < 99; i++) {
            now.addAndGet(1_000_000L);
            assertTrue(l.decide(null, "ip=10.0.0." + i).allowed);
        }
        assertEquals(100, l.trackedKeys());
        for (int i = 0; i < 300; i++) {
            now.addAndGet(1_000_000L);
            assertTrue(l.decide(null, "ip=10.0.1." + i).allowed, "every new key has its own counter");
            assertFalse(l.decide(null, "ip=10.0.1." + i).allowed, "and its own limit");
            assertEquals(100, l.trackedKeys(), "memory stays bounded by max-keys");
        }
        assertEquals(300, l.stats().keyEvictions());
        assertTrue(l.decide(null, "victim").allowed, "a victim's first request is admitted");
    }

    @Test
    void aKeyInUseOutlivesAFloodOfNewKeys() {
        RateLimiter l = limiter("{name: a, limit: 1, window: 1h, mode: local, max-keys: 100}");
        assertTrue(l.decide(null, "steady").allowed);
        for (int i = 0; i < 1000; i++) {
            now.addAndGet(1_000_000L);
            l.decide(null, "flood-" + i);
            if (i % 10 == 0) {
                assertFalse(l.decide(null, "steady").allowed, "the steady key's counter is remembered");
            }
        }
    }

    @Test
    void idleKeysExpireOnceTheirCountersNoLongerMatter() {
        RateLimiter l = limiter("{name: a, limit: 5, window: 1m, mode: local}");
        l.decide(null, "old");
        now.addAndGet(90 * S);
        l.decide(null, "recent");
        l.sweep();
        assertEquals(2, l.trackedKeys(), "two windows must pass before a sliding-window counter is forgotten");
        now.addAndGet(40 * S);
        l.sweep();
        assertEquals(1, l.trackedKeys());
    }

    @Test
    void healthDescribesTheLimitAndItsCounters() {
        RateLimiter l = limiter("{name: a, limit: 5, window: 10s, mode: local, key: [client-ip, route], enforce: false}");
        l.decide(null, "k");
        l.stats().allowed.increment();
        Map<String, Object> h = l.health();
        assertEquals("a", h.get("name"));
        assertEquals("route r", h.get("scope"));
        assertEquals("local", h.get("mode"));
        assertEquals("sliding-window", h.get("algorithm"));
        assertEquals(5, h.get("limit"));
        assertEquals("10s", h.get("window"));
        assertEquals(java.util.List.of("client-ip", "route"), h.get("key"));
        assertEquals(false, h.get("enforce"));
        assertEquals("local", h.get("counters"));
        assertEquals(1, h.get("trackedKeys"));
        assertEquals(1L, h.get("allowed"));
        assertEquals(0L, h.get("fallbacks"));
    }
}
