package io.concierge.gateway.proxy;

import java.time.Duration;


/**
 * Starts the request's overall budget: the route's deadline, else the service's, else a day (a
 * request without resilience policies is bounded by its per-try timeouts only). The layers below
 * stop trying once it has passed ({@link ExchangeOutcome.DeadlineExceeded}: 504).
 */
final class RequestDeadline implements UpstreamCall {
    private static final Duration UNBOUNDED = Duration.ofDays(1);

    private final UpstreamCall next;

    RequestDeadline(UpstreamCall next) {
        this.next = next;
    }

    @Override
    public ExchangeOutcome call(UpstreamRequest request) {
        ProxyCall call = request.call();
        Duration budget = call.deadline() != null ? call.deadline()
                : call.resilience() != null ? call.resilience().config().deadline() : UNBOUNDED;
        request.startDeadline(budget);
        return next.call(request);
    }
}
