package io.concierge.gateway.proxy;

import io.helidon.faulttolerance.Bulkhead;
import io.helidon.faulttolerance.BulkheadException;
import io.concierge.gateway.resilience.ServiceResilience;

/**
 * The service's concurrency limit (Helidon Fault Tolerance's {@link Bulkhead}): a request beyond
 * its slots and queue is rejected at once ({@link ExchangeOutcome.BulkheadFull}: 503), and counted.
 * The slot is held for the whole call below, relaying included, and given back by the bulkhead
 * however that call ends.
 */
final class BulkheadLimit implements UpstreamCall {
    private final UpstreamCall next;

    BulkheadLimit(UpstreamCall next) {
        this.next = next;
    }

    @Override
    public ExchangeOutcome call(UpstreamRequest request) {
        ServiceResilience rz = request.call().resilience();
        Bulkhead bulkhead = rz == null ? null : rz.bulkhead();
        if (bulkhead == null) {
            return next.call(request);
        }
        try {
            return bulkhead.invoke(() -> next.call(request));
        } catch (BulkheadException e) {
            rz.countBulkheadRejection();
            return new ExchangeOutcome.BulkheadFull();
        }
    }
}
