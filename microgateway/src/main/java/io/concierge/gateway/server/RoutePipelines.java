package io.concierge.gateway.server;

import java.util.ArrayList;
import java.util.List;

import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;
import io.concierge.gateway.pipeline.Filter;
import io.concierge.gateway.pipeline.Pipeline;
import io.concierge.gateway.pipeline.PipelineContext;
import io.concierge.gateway.ratelimit.RateLimitFilters;
import io.concierge.gateway.security.SecurityFilters;

/**
 * The one place where a route's filter chain is assembled, so the whole request path can be read
 * here: request id and admission checks (in the handler) → authentication and authorization → rate
 * limits → (resilience) → proxy. Authentication runs before limits so limits can key on the
 * verified consumer and anonymous floods are refused before they consume anyone's budget.
 */
public final class RoutePipelines {
    private RoutePipelines() {
    }

    public static Pipeline build(GatewayConfig gateway, RouteConfig route, PipelineContext context) {
        List<Filter> filters = new ArrayList<>();
        filters.addAll(SecurityFilters.forRoute(gateway, route, context));
        filters.addAll(RateLimitFilters.forRoute(gateway, route, context));
        return filters.isEmpty() ? Pipeline.EMPTY : new Pipeline(filters);
    }
}
