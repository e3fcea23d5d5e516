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
    private final ServiceResilience rz;
    private final Bulkhead bulkhead;
    private final UpstreamCall next;

    /** @param rz a service with a bulkhead */
    BulkheadLimit(ServiceResilience rz, UpstreamCall next) {
        this.rz = rz;
        this.bulkhead = rz.bulkhead();
        this.next = next;
    }

    @Override
    public ExchangeOutcome call(UpstreamRequest request) {
        try {
            return bulkhead.invoke(() -> next.call(request));
        } catch (BulkheadException e) {
            rz.countBulkheadRejection();
            return new ExchangeOutcome.BulkheadFull();
        }
    }
}
