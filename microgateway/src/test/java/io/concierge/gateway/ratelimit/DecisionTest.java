package io.concierge.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.ratelimit.RateLimiter.Decision;

/**
 * The sealed decision type: a grant becomes Allowed, no grant becomes Limited for an enforced limit
 * and Shadow for a shadow one; only an Allowed decision gives a permit back, to the ledger that
 * counted it; a fallback decision says it was degraded.
 */
class DecisionTest {
    private static final Quota QUOTA = new SlidingWindowQuota(5, 60_000);

    private static final class Key extends TrackedKey {
        Key() {
            super(QUOTA, "pro", "ck", "api-pro");
        }
    }

    /** Records what was given back. */
    private static final class Ledger implements PermitLedger {
        final List<Long> windows = new ArrayList<>();

        @Override
        public void giveBack(TrackedKey key, long window) {
            windows.add(window);
        }
    }

    private static RateLimiter limiter(boolean enforce) {
        return new RateLimiter("shop", "domain", LocalCounterTest.config("{name: api, limit: 5, mode: local, enforce: "
                + enforce + "}"), null, () -> 0L);
    }

    private final Key key = new Key();
    private final Ledger ledger = new Ledger();

    @Test
    void aGrantIsAllowedAndItsRefundGoesToTheLedgerThatCountedIt() {
        Decision d = Decision.of(limiter(true), key, new Quota.Grant(1, 4, 7, 42), ledger, false);
        Decision.Allowed a = assertInstanceOf(Decision.Allowed.class, d);
        assertTrue(a.allowed);
        assertEquals(4, a.remaining);
        assertEquals(7, a.resetNanos());
        assertEquals("api-pro", a.policy());
        assertEquals(QUOTA, a.quota());
        assertFalse(a.degraded());
        a.refund();
        assertEquals(List.of(42L), ledger.windows);
    }

    @Test
    void noGrantIsLimitedWhenEnforcedAndShadowOtherwiseAndNeitherRefunds() {
        Quota.Grant none = new Quota.Grant(0, 0, 3_000_000_000L, 42);
        Decision limited = Decision.of(limiter(true), key, none, ledger, false);
        Decision.Limited l = assertInstanceOf(Decision.Limited.class, limited);
        assertFalse(l.allowed);
        assertEquals(3_000_000_000L, l.retryAfterNanos());
        Decision shadow = Decision.of(limiter(false), key, none, ledger, false);
        assertInstanceOf(Decision.Shadow.class, shadow);
        assertFalse(shadow.allowed);
        limited.refund();
        shadow.refund();
        assertTrue(ledger.windows.isEmpty(), "nothing was counted, nothing goes back");
    }

    @Test
    void aFallbackDecisionIsMarkedDegraded() {
        assertTrue(Decision.of(limiter(true), key, new Quota.Grant(1, 0, 0, 0), ledger, true).degraded());
        assertTrue(Decision.of(limiter(true), key, new Quota.Grant(0, 0, 1, 0), ledger, true).degraded());
    }
}
