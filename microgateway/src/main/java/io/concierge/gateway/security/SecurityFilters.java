package io.concierge.gateway.security;

import java.util.List;

import io.concierge.gateway.config.GatewayConfig;
import io.concierge.gateway.config.RouteConfig;
import io.concierge.gateway.pipeline.Filter;
import io.concierge.gateway.pipeline.PipelineContext;

/** Builds a route's security filters (authentication, authorization) from its configuration. */
public final class SecurityFilters {
    private SecurityFilters() {
    }

    public static List<Filter> forRoute(GatewayConfig gateway, RouteConfig route, PipelineContext context) {
        return List.of();
    }

    /** Edge-wide protection filters, run before dispatch. */
    public static List<Filter> forEdge(EdgeProtectionConfig protection, PipelineContext context) {
        return List.of();
    }
}
