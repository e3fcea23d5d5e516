package io.concierge.edge;

import java.util.ArrayList;
import java.util.List;

import io.concierge.gateway.pipeline.Filter;
import io.concierge.gateway.pipeline.Pipeline;
import io.concierge.gateway.pipeline.PipelineContext;
import io.concierge.gateway.ratelimit.RateLimitFilters;
import io.concierge.gateway.security.SecurityFilters;

/**
 * The edge's filter chain, assembled in one place: edge protection (CORS, IP lists, limits) first,
 * then the edge-wide rate limits, then dispatch.
 */
final class EdgePipelines {
    private EdgePipelines() {
    }

    static Pipeline build(EdgeConfig config, PipelineContext context) {
        List<Filter> filters = new ArrayList<>();
        filters.addAll(SecurityFilters.forEdge(config.protection(), context));
        filters.addAll(RateLimitFilters.forEdge(config.rateLimits(), context));
        return filters.isEmpty() ? Pipeline.EMPTY : new Pipeline(filters);
    }
}
