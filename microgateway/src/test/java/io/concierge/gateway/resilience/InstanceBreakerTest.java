package io.concierge.gateway.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class InstanceBreakerTest {
    private final AtomicLong now = new AtomicLong();
    private final InstanceBreaker breaker = new InstanceBreaker(
            new ResilienceConfig.Breaker(true, 10, 4, 50, Duration.ofSeconds(10), 2), now::get);

    @Test
    void staysClosedBelowMinimumCalls() {
        for (int i = 0; i < 3; i++) {
            assertTrue(breaker.tryAcquire());
            breaker.record(false);
        }
        assertEquals(InstanceBreaker.State.CLOSED, breaker.state());
    }

    @Test
    void opensAtTheFailureRateThenProbesAndCloses() {
        for (int i = 0; i < 4; i++) {
            breaker.tryAcquire();
            breaker.record(i % 2 == 0);
        }
        assertEquals(InstanceBreaker.State.OPEN, breaker.state());
        assertFalse(breaker.tryAcquire());
        assertEquals(Duration.ofSeconds(10).toNanos(), breaker.nanosUntilProbe());
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertTrue(breaker.tryAcquire());
        assertTrue(breaker.tryAcquire());
        assertFalse(breaker.tryAcquire(), "only two probes at once");
        breaker.record(true);
        breaker.record(true);
        assertEquals(InstanceBreaker.State.CLOSED, breaker.state());
    }

    @Test
    void aFailedProbeReopens() {
        for (int i = 0; i < 4; i++) {
            breaker.tryAcquire();
            breaker.record(false);
        }
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertTrue(breaker.tryAcquire());
        breaker.record(false);
        assertEquals(InstanceBreaker.State.OPEN, breaker.state());
        assertEquals(2, breaker.opens());
    }
}
