package io.concierge.gateway.server;

import java.time.Duration;

import io.concierge.gateway.composition.CompositionEndpoint;
import io.concierge.gateway.domainconfig.RouteConfig;
import io.concierge.gateway.pipeline.Pipeline;
import io.concierge.gateway.proxy.UpstreamGroup;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.rewrite.PathRewriter;

/**
 * A route with everything it needs at request time, built once at startup. A composition endpoint
 * is a route too (its pipeline authenticates and limits it) whose {@code composition} answers in
 * place of the proxy; its service, rewriter and timeouts are null.
 */
record GatewayRoute(RouteConfig config, Pipeline pipeline, PathRewriter rewriter, UpstreamGroup service,
                    ServiceResilience resilience, Duration connectTimeout, Duration readTimeout,
                    CompositionEndpoint composition) {
    GatewayRoute(RouteConfig config, Pipeline pipeline, PathRewriter rewriter, UpstreamGroup service,
                 ServiceResilience resilience, Duration connectTimeout, Duration readTimeout) {
        this(config, pipeline, rewriter, service, resilience, connectTimeout, readTimeout, null);
    }
}
