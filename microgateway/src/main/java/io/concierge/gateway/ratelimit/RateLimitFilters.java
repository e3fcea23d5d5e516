package io.concierge.gateway.ratelimit;

import java.util.List;

import io.concierge.gateway.config.GatewayConfig;
import io.concierge.gateway.config.RouteConfig;
import io.concierge.gateway.pipeline.Filter;
import io.concierge.gateway.pipeline.PipelineContext;

/** Builds a route's rate-limit filters from the domain's and the route's limits. */
public final class RateLimitFilters {
    private RateLimitFilters() {
    }

    public static List<Filter> forRoute(GatewayConfig gateway, RouteConfig route, PipelineContext context) {
        return List.of();
    }

    /** The edge's limits, run before dispatch. */
    public static List<Filter> forEdge(List<RateLimitConfig> limits, PipelineContext context) {
        return List.of();
    }
}
