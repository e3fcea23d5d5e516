package io.concierge.gateway.server;

import java.time.Duration;

import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.proxy.ProxyCall;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.proxy.UpstreamStack;
import io.concierge.gateway.resilience.FallbackConfig;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.rewrite.PathRewriter;

/**
 * A route that proxies to a service: rewrite the raw path, keep (or take the pipeline's cleaned)
 * raw query, and forward through {@link ProxyEngine} into the route's {@link UpstreamStack}
 * (built by {@link RouteChains#route}), which streams both bodies. Everything but the request is
 * fixed at load.
 *
 * @param resilience     the service's resilience state, or null (for the failure scope and the fallback count)
 * @param connectTimeout the route's, or the service's
 * @param readTimeout    the route's, or the service's
 * @param fallback       the route's static answer on failure, or null
 * @param stack          deadline, bulkhead, relay, retry, breaker and balancer: the ones the route uses
 */
public record ProxyTarget(ProxyEngine engine, PathRewriter rewriter, UpstreamGroup service,
                          ServiceResilience resilience, Duration connectTimeout, Duration readTimeout,
                          FallbackConfig fallback, UpstreamStack stack) implements RouteTarget {

    @Override
    public void handle(Exchange exchange, Chain next) {
        String target = rewriter.rewrite(exchange.path());
        String query = exchange.upstreamQuery() != null ? exchange.upstreamQuery()
                : exchange.request().prologue().query().rawValue();
        if (!query.isEmpty()) {
            target = target + "?" + query;
        }
        engine.forward(exchange.request(), exchange.response(), new ProxyCall(service, target, connectTimeout,
                readTimeout, exchange.requestId(),
                exchange.upstreamChanges(),
                resilience, fallback), stack);
    }
}
