package io.concierge.gateway.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import io.concierge.gateway.resilience.ServiceResilience;

/**
 * The whole way from a request to its upstream, built once per route by the chain factory
 * ({@code server.RouteChains.route}, which lists it; KrakenD/Lura's {@code proxy/factory.go} is the
 * model). Outermost first:
 * <ol>
 *     <li>{@link RequestDeadline}: starts the request's budget, which every try and backoff respects;</li>
 *     <li>{@link BulkheadLimit}: the service's concurrency limit, held until the response is relayed;</li>
 *     <li>{@link ResponseRelay}: answers the client (relay, fallback or problem);</li>
 *     <li>{@link RetryWithBudget}: tries again what the failure scope allows, within attempts, budget and deadline;</li>
 *     <li>{@link BreakerAndBalancer}: picks a healthy instance whose breaker admits the try, skips refusals;</li>
 *     <li>the {@link InstanceExchange}: one try against one instance.</li>
 * </ol>
 * A layer whose policy the route does not have is absent from its stack (no deadline, no bulkhead,
 * a single attempt), not skipped per request. The layers hold their configuration and no request
 * state.
 */
public final class UpstreamStack {
    private final UpstreamCall top;
    private final List<String> layers;

    private UpstreamStack(UpstreamCall top, List<String> layers) {
        this.top = top;
        this.layers = List.copyOf(layers);
    }

    /** Starts a stack; add its layers outermost first, end with {@link Builder#exchange}. */
    public static Builder outermostFirst() {
        return new Builder();
    }

    /**
     * The stack for calls whose policies arrive with them (the edge's per-domain failover): the same
     * layers as a route's, composed once per policy ({@code ProxyEngine} keeps them).
     *
     * @param rz the calls' resilience, or null for none
     */
    public static UpstreamStack forCall(ServiceResilience rz, InstanceExchange exchange) {
        return outermostFirst()
                .deadline(rz == null ? null : rz.config().deadline())
                .bulkhead(rz)
                .relay()
                .retry(rz)
                .breakerAndBalancer(rz)
                .exchange(exchange);
    }

    /** Runs one request through the stack. */
    public ExchangeOutcome call(UpstreamRequest request) {
        return top.call(request);
    }

    /** The layers present, outermost first, by class name (for describing and testing a route). */
    public List<String> layers() {
        return layers;
    }

    /** Collects the layers outermost first, composes them inside out at the end. */
    public static final class Builder {
        private final List<UnaryOperator<UpstreamCall>> wrappers = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        private ServiceResilience breakers;

        private Builder() {
        }

        /** The request's overall budget; absent when null. */
        public Builder deadline(Duration budget) {
            return budget == null ? this : add("RequestDeadline", next -> new RequestDeadline(budget, next));
        }

        /** The service's concurrency limit; absent without resilience or without a bulkhead policy. */
        public Builder bulkhead(ServiceResilience rz) {
            return rz == null || rz.bulkhead() == null ? this
                    : add("BulkheadLimit", next -> new BulkheadLimit(rz, next));
        }

        /** Answers the client; always present. */
        public Builder relay() {
            return add("ResponseRelay", ResponseRelay::new);
        }

        /** Retries within budget; absent without resilience or when the policy allows one attempt only. */
        public Builder retry(ServiceResilience rz) {
            return rz == null || rz.config().retry().attempts() <= 1 ? this
                    : add("RetryWithBudget", next -> new RetryWithBudget(rz, next));
        }

        /** Balancing, always; per-instance breakers and health only with resilience ({@code rz} not null). */
        public Builder breakerAndBalancer(ServiceResilience rz) {
            this.breakers = rz;
            names.add("BreakerAndBalancer");
            return this;
        }

        /** Ends the stack in one try against one instance. */
        public UpstreamStack exchange(InstanceExchange exchange) {
            names.add(exchange.getClass().getSimpleName());
            UpstreamCall call = new BreakerAndBalancer(breakers, exchange);
            for (int i = wrappers.size() - 1; i >= 0; i--) {
                call = wrappers.get(i).apply(call);
            }
            return new UpstreamStack(call, names);
        }

        private Builder add(String name, UnaryOperator<UpstreamCall> wrapper) {
            wrappers.add(wrapper);
            names.add(name);
            return this;
        }
    }
}
