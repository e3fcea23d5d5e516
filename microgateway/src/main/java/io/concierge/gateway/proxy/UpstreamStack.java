package io.concierge.gateway.proxy;


/**
 * The whole way from a request to its upstream, in one visible line (KrakenD/Lura's
 * {@code proxy/factory.go} is the model). Outermost first:
 * <ol>
 *     <li>{@link RequestDeadline}: starts the request's budget, which every try and backoff respects;</li>
 *     <li>{@link BulkheadLimit}: the service's concurrency limit, held until the response is relayed;</li>
 *     <li>{@link ResponseRelay}: answers the client (relay, fallback or problem);</li>
 *     <li>{@link RetryWithBudget}: tries again what the failure scope allows, within attempts, budget and deadline;</li>
 *     <li>{@link BreakerAndBalancer}: picks a healthy instance whose breaker admits the try, skips refusals;</li>
 *     <li>the {@link InstanceExchange}: one try against one instance.</li>
 * </ol>
 * The layers are built once and hold no request state; a call without resilience policies
 * ({@code ProxyCall.resilience() == null}) passes through bulkhead, retry and breaker untouched.
 */
public final class UpstreamStack {
    private UpstreamStack() {
    }

    public static UpstreamCall build(InstanceExchange exchange) {
        return deadline(bulkhead(relay(retry(breakerAndBalancer(exchange)))));
    }

    static UpstreamCall deadline(UpstreamCall next) {
        return new RequestDeadline(next);
    }

    static UpstreamCall bulkhead(UpstreamCall next) {
        return new BulkheadLimit(next);
    }

    static UpstreamCall relay(UpstreamCall next) {
        return new ResponseRelay(next);
    }

    static UpstreamCall retry(UpstreamCall next) {
        return new RetryWithBudget(next);
    }

    static UpstreamCall breakerAndBalancer(InstanceExchange exchange) {
        return new BreakerAndBalancer(exchange);
    }
}
