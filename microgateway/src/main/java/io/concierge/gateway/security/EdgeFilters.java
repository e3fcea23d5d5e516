package io.concierge.gateway.security;

import java.util.ArrayList;
import java.util.List;

import io.concierge.gateway.pipeline.Filter;

/** Assembles the edge's protection filters; the order is documented on {@link SecurityFilters}. */
final class EdgeFilters {
    private EdgeFilters() {
    }

    static List<Filter> build(EdgeProtectionConfig p, SecurityStats stats) {
        List<Filter> filters = new ArrayList<>();
        // First, so every answer of the edge carries them: refusals and preflights too.
        SecurityHeadersFilter headers = new SecurityHeadersFilter(p.headers());
        if (!headers.isEmpty()) {
            filters.add(headers);
        }
        // Always, even without trusted proxies: then every client's forwarding headers are dropped.
        filters.add(new ClientIpFilter(p.trustedProxies(), true));
        Rejections rejections = new Rejections("edge", stats);
        if (!p.ipAllow().isEmpty() || !p.ipDeny().isEmpty()) {
            filters.add(new IpListFilter(p.ipAllow(), p.ipDeny(), rejections));
        }
        if (p.cors() != null) {
            filters.add(new CorsFilter(p.cors(), stats));
        }
        if (p.maxBodySize() >= 0) {
            filters.add(new BodyLimitFilter(p.maxBodySize(), stats));
        }
        return filters;
    }
}
