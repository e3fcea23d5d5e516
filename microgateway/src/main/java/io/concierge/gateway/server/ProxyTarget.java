package io.concierge.gateway.server;

import java.time.Duration;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.proxy.ProxyCall;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.resilience.FallbackConfig;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.rewrite.PathRewriter;

/**
 * A route that proxies to a service: rewrite the raw path, keep (or take the pipeline's cleaned)
 * raw query, and forward through {@link ProxyEngine}, which applies the service's resilience
 * (deadline, bulkhead, retries, breakers, balancer) and streams both bodies. Everything but the
 * request is fixed at load.
 *
 * @param connectTimeout the route's, or the service's
 * @param readTimeout    the route's, or the service's
 * @param deadline       the route's deadline, or null for the service's
 * @param fallback       the route's static answer on failure, or null
 */
public record ProxyTarget(ProxyEngine engine, PathRewriter rewriter, UpstreamGroup service,
                          ServiceResilience resilience, Duration connectTimeout, Duration readTimeout,
                          Duration deadline, FallbackConfig fallback) implements RouteTarget {

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
                exchange.upstreamHeaders().isEmpty() ? null : exchange.upstreamHeaders(),
                resilience, deadline, fallback));
    }
}
