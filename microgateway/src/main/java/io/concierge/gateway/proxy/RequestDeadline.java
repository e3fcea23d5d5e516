package io.concierge.gateway.proxy;

import java.time.Duration;


/**
 * Starts the request's overall budget (the route's deadline, else its service's, fixed when the
 * stack is built). The layers below stop trying once it has passed
 * ({@link ExchangeOutcome.DeadlineExceeded}: 504). Without this layer a request is bounded by its
 * per-try timeouts only.
 */
final class RequestDeadline implements UpstreamCall {
    private final Duration budget;
    private final UpstreamCall next;

    RequestDeadline(Duration budget, UpstreamCall next) {
        this.budget = budget;
        this.next = next;
    }

    @Override
    public ExchangeOutcome call(UpstreamRequest request) {
        request.startDeadline(budget);
        return next.call(request);
    }
}
