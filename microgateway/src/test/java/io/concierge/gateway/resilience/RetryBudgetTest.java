package io.concierge.gateway.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    @Test
    void retriesStayWithinTheRatioOfRequests() {
        AtomicLong now = new AtomicLong();
        RetryBudget budget = new RetryBudget(0.2, 0, now::get);
        int retries = 0;
        for (int i = 0; i < 1000; i++) {
            budget.onRequest();
            if (budget.tryRetry()) {
                retries++;
            }
        }
        assertEquals(200, retries);
    }

    @Test
    void theReserveRefillsOverTimeForQuietServices() {
        AtomicLong now = new AtomicLong();
        RetryBudget budget = new RetryBudget(0.0, 2, now::get);
        assertTrue(budget.tryRetry());
        assertTrue(budget.tryRetry());
        assertFalse(budget.tryRetry());
        now.addAndGet(1_000_000_000L);
        assertTrue(budget.tryRetry());
        assertEquals(1, budget.exhausted());
    }
}
