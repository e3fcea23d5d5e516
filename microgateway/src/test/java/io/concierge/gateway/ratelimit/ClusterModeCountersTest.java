package io.concierge.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;

import io.concierge.gateway.cluster.ClusterMember;
import io.concierge.gateway.config.ClusterConfig;
import io.concierge.gateway.ratelimit.RateLimiter.Decision;
import io.concierge.gateway.testing.Poll;

/**
 * The cluster counting modes one at a time against one real Hazelcast member, with a clock the test
 * holds still (counters of different tests never share a key): strict asks the cluster per request;
 * fast serves a lease without a call per request, takes refunds back into it and returns it on
 * eviction; both fall back to a local share, marked degraded, when the cluster is degraded.
 * ({@link ClusterRateLimitIT} runs them across three gateways.)
 */
class ClusterModeCountersTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static HazelcastInstance member;
    /** The sliding window's state is [window, previous window's count, current window's count]. */
    private static final int CURRENT_WINDOW_COUNT = 2;
    /** One second into a minute: a test's few hundred simulated milliseconds stay in one window. */
    private final AtomicLong now = new AtomicLong((System.currentTimeMillis() / 60_000 * 60_000 + 1_000) * 1_000_000L);
    private final String owner = "t-" + UUID.randomUUID();

    @BeforeAll
    static void startMember() {
        int base = Poll.freePortBlock(5);
        member = ClusterMember.start(new ClusterConfig("counters-" + UUID.randomUUID(), "127.0.0.1", base, 5,
                List.of("127.0.0.1"), Duration.ofSeconds(3)), "counters-" + UUID.randomUUID());
    }

    @AfterAll
    static void stopMember() {
        if (member != null) {
            member.getLifecycleService().terminate();
        }
    }

    private RateLimiter limiter(RateLimitConfig c) {
        return new RateLimiter(owner, "route r", c, null, now::get);
    }

    private CounterSetup setup(RateLimitConfig c, RateLimiter limiter) {
        return new CounterSetup(owner, "route r", c, limiter.stats(), now::get);
    }

    @Test
    void strictAsksTheClusterForEveryRequestAndTakesARefundBack() {
        RateLimitConfig c = LocalCounterTest.config("{name: s, limit: 3, window: 1m, mode: strict, cluster-timeout: 5s}");
        RateLimiter limiter = limiter(c);
        ClusterCounters cluster = new ClusterCounters(member, owner);
        StrictClusterCounter counter = new StrictClusterCounter(setup(c, limiter), cluster);
        Quota q = Quota.of(c.algorithm(), c.quota());
        Decision first = counter.decide(limiter, q, null, "k", now.get());
        assertInstanceOf(Decision.Allowed.class, first);
        assertFalse(first.degraded());
        assertEquals(2, first.remaining);
        assertInstanceOf(Decision.Allowed.class, counter.decide(limiter, q, null, "k", now.get()));
        assertInstanceOf(Decision.Allowed.class, counter.decide(limiter, q, null, "k", now.get()));
        assertInstanceOf(Decision.Limited.class, counter.decide(limiter, q, null, "k", now.get()));
        assertEquals(4, limiter.stats().clusterCalls());
        first.refund();
        Poll.until("the refund reached the cluster counter", WAIT,
                () -> counter.decide(limiter, q, null, "k", now.get()) instanceof Decision.Allowed);
        assertEquals("cluster", counter.status());
        assertEquals(0, limiter.stats().fallbacks());
    }

    @Test
    void aDegradedClusterIsAnsweredOnTheLocalShareAndCountedAsFallback() {
        RateLimitConfig c = LocalCounterTest.config("{name: d, limit: 2, window: 1m, mode: strict}");
        RateLimiter limiter = limiter(c);
        ClusterCounters cluster = new ClusterCounters(member, owner);
        StrictClusterCounter counter = new StrictClusterCounter(setup(c, limiter), cluster);
        cluster.failed(new HazelcastInstanceNotActiveException("test"));
        assertFalse(cluster.available());
        Quota q = Quota.of(c.algorithm(), c.quota());
        Decision d = counter.decide(limiter, q, null, "k", now.get());
        assertInstanceOf(Decision.Allowed.class, d);
        assertTrue(d.degraded());
        assertInstanceOf(Decision.Allowed.class, counter.decide(limiter, q, null, "k", now.get()));
        Decision no = counter.decide(limiter, q, null, "k", now.get());
        assertInstanceOf(Decision.Limited.class, no, "fail open to the local share, never to unlimited");
        assertTrue(no.degraded());
        d.refund();
        assertInstanceOf(Decision.Allowed.class, counter.decide(limiter, q, null, "k", now.get()),
                "a fallback permit goes back to the local share");
        assertEquals(4, limiter.stats().fallbacks());
        assertEquals(0, limiter.stats().clusterCalls());
        assertEquals("degraded-to-local", counter.status());
        cluster.probe();
        assertTrue(cluster.available(), "the probe brings the cluster back");
        assertFalse(counter.decide(limiter, q, null, "k2", now.get()).degraded());
    }

    @Test
    void fastServesALeaseWithoutACallPerRequestAndTakesRefundsIntoIt() {
        RateLimitConfig c = LocalCounterTest.config("{name: f, limit: 100, window: 1m, mode: fast, cluster-timeout: 5s}");
        RateLimiter limiter = limiter(c);
        FastLeaseCounter counter = new FastLeaseCounter(setup(c, limiter), new ClusterCounters(member, owner));
        Quota q = Quota.of(c.algorithm(), c.quota());
        Decision first = counter.decide(limiter, q, null, "k", now.get());
        assertInstanceOf(Decision.Allowed.class, first);
        assertEquals(1, limiter.stats().clusterCalls(), "the first request waits for a lease");
        Decision d = first;
        for (int i = 0; i < 9; i++) {
            d = counter.decide(limiter, q, null, "k", now.get());
            assertInstanceOf(Decision.Allowed.class, d);
        }
        assertEquals(1, limiter.stats().clusterCalls(), "the next ones are served from the lease");
        assertEquals(first.remaining - 9, d.remaining);
        d.refund();
        Decision after = counter.decide(limiter, q, null, "k", now.get());
        assertEquals(d.remaining, after.remaining, "the refunded permit went back into the lease");
    }

    @Test
    void anEvictedKeyGivesItsLeaseBackToTheCluster() {
        RateLimitConfig c = LocalCounterTest.config("{name: e, limit: 100, window: 1m, mode: fast, max-keys: 100, cluster-timeout: 5s}");
        RateLimiter limiter = limiter(c);
        FastLeaseCounter counter = new FastLeaseCounter(setup(c, limiter), new ClusterCounters(member, owner));
        Quota q = Quota.of(c.algorithm(), c.quota());
        IMap<String, long[]> counters = member.getMap(ClusterCounters.COUNTERS);
        String victim = RateLimiter.clusterKey(owner, "route r", c, q, "victim");
        assertInstanceOf(Decision.Allowed.class, counter.decide(limiter, q, null, "victim", now.get()));
        long leased = counters.get(victim)[CURRENT_WINDOW_COUNT];
        assertTrue(leased > 1, "the cluster counts the whole lease as used: " + leased);
        for (int i = 0; i < 300; i++) {
            now.addAndGet(1_000_000L);
            counter.decide(limiter, q, null, "other-" + i, now.get());
        }
        assertTrue(limiter.stats().keyEvictions() >= 200, "a full table evicts for every new key");
        Poll.until("the evicted lease is back in the cluster counter, but for the one permit used", WAIT,
                () -> counters.get(victim)[CURRENT_WINDOW_COUNT] == 1);
    }
}
