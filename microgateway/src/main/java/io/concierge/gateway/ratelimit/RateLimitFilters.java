package io.concierge.gateway.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;
import io.concierge.gateway.pipeline.Filter;
import io.concierge.gateway.pipeline.PipelineContext;

/**
 * Builds the rate-limit filter of a route (the domain's limits, then the route's) or of the edge.
 * All limits of one server share one {@link RateLimiting} state, kept in the server's
 * {@link PipelineContext} (the same object for all of its routes), which also closes it.
 */
public final class RateLimitFilters {
    private RateLimitFilters() {
    }

    public static List<Filter> forRoute(GatewayConfig gateway, RouteConfig route, PipelineContext context) {
        if (gateway.rateLimits().isEmpty() && route.rateLimits().isEmpty()) {
            return List.of();
        }
        RateLimiting rl = runtime(context);
        List<RateLimiter> limiters = new ArrayList<>(rl.sharedLimiters(gateway.rateLimits(), "domain"));
        for (RateLimitConfig c : route.rateLimits()) {
            limiters.add(rl.limiter(c, "route " + route.id()));
        }
        return List.of(new RateLimitFilter(limiters));
    }

    /** The edge's limits, run before dispatch. */
    public static List<Filter> forEdge(List<RateLimitConfig> limits, PipelineContext context) {
        if (limits.isEmpty()) {
            return List.of();
        }
        RateLimiting rl = runtime(context);
        return List.of(new RateLimitFilter(rl.sharedLimiters(limits, "edge")));
    }

    /** The {@code rateLimiting} section of the server's {@code /health}. */
    public static Map<String, Object> health(PipelineContext context) {
        RateLimiting rl = context.existingState(RateLimiting.class);
        return rl == null ? Map.of("limits", List.of()) : rl.health();
    }

    static RateLimiting runtime(PipelineContext context) {
        return context.state(RateLimiting.class,
                () -> new RateLimiting(context.owner(), context.cluster(), RateLimiting.SYSTEM_CLOCK));
    }
}
