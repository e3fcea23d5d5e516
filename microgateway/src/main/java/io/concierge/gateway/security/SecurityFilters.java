package io.concierge.gateway.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;
import io.concierge.gateway.pipeline.Filter;
import io.concierge.gateway.pipeline.PipelineContext;

/**
 * Builds the security filters of a route and of the edge, in the order they run:
 *
 * <pre>
 * gateway route: client address (trusted proxies) → IP lists → strip client identity headers
 *                → authentication + authorization → body size
 * edge:          security response headers → client address (trusted proxies, forwarding
 *                headers of untrusted peers dropped) → IP lists → CORS → body size
 * </pre>
 *
 * The state a gateway's routes share (JWKS caches, API keys, counters) is built on the first route
 * and kept in the gateway's {@link PipelineContext}, which releases it when the gateway stops.
 */
public final class SecurityFilters {

    private SecurityFilters() {
    }

    public static List<Filter> forRoute(GatewayConfig gateway, RouteConfig route, PipelineContext context) {
        DomainSecurity domain = context.state(DomainSecurity.class, () -> new DomainSecurity(gateway));
        SecurityConfig sec = gateway.security();
        RouteAuthConfig auth = route.auth();
        List<Filter> filters = new ArrayList<>();
        if (!sec.trustedProxies().isEmpty()) {
            filters.add(new ClientIpFilter(sec.trustedProxies(), false));
        }
        if (!auth.ipAllow().isEmpty() || !auth.ipDeny().isEmpty()) {
            filters.add(new IpListFilter(auth.ipAllow(), auth.ipDeny(), domain.rejections));
        }
        List<String> identityHeaders = sec.identityHeaders().all();
        filters.add(exchange -> {
            for (String h : identityHeaders) {
                exchange.upstreamHeaders().remove(h);
            }
            return true;
        });
        Access access = auth.effectiveAccess(sec);
        if (access != Access.PUBLIC) {
            boolean anyKind = auth.credentials().isEmpty();
            JwtVerifier jwt = (anyKind || auth.credentials().contains(RouteAuthConfig.Credential.JWT))
                    && !domain.jwt.isEmpty() ? domain.jwt : null;
            ApiKeyVerifier keys = (anyKind || auth.credentials().contains(RouteAuthConfig.Credential.API_KEY))
                    && !domain.apiKeys.isEmpty() ? domain.apiKeys : null;
            if (jwt == null && keys == null) {
                // GatewayConfig validation refuses this; kept so a route can never end up open by accident.
                throw new IllegalStateException("route '" + route.id() + "' needs credentials the domain does not configure");
            }
            filters.add(new AuthFilter(access, jwt, keys, auth, sec.identityHeaders(), domain.rejections));
        }
        if (auth.maxBodySize() >= 0) {
            filters.add(new BodyLimitFilter(auth.maxBodySize(), domain.stats));
        }
        return filters;
    }

    /** Edge-wide protection filters, run before dispatch. */
    public static List<Filter> forEdge(EdgeProtectionConfig protection, PipelineContext context) {
        return EdgeFilters.build(protection, edgeStats(context));
    }

    /** The edge's security counters. */
    public static SecurityStats edgeStats(PipelineContext context) {
        return context.state(SecurityStats.class, SecurityStats::new);
    }

    /** The gateway's security counters and key state, for {@code /health}; empty before the first route was built. */
    public static Map<String, Object> describe(PipelineContext context) {
        DomainSecurity d = context.existingState(DomainSecurity.class);
        return d == null ? Map.of() : d.describe();
    }

    /** The counters of a gateway, for tests and metrics; null when none were built. */
    public static SecurityStats stats(PipelineContext context) {
        DomainSecurity d = context.existingState(DomainSecurity.class);
        return d == null ? null : d.stats;
    }
}
