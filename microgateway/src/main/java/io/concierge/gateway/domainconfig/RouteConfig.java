package io.concierge.gateway.domainconfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.concierge.gateway.cache.RouteCacheConfig;
import io.concierge.gateway.composition.CompositionConfig;
import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.grpc.GrpcRouteConfig;
import io.concierge.gateway.ratelimit.RateLimitConfig;
import io.concierge.gateway.resilience.RouteResilience;
import io.concierge.gateway.rewrite.RewriteConfig;
import io.concierge.gateway.security.RouteAuthConfig;
import io.concierge.gateway.transform.TransformConfig;

/**
 * One route: what it matches, how it rewrites, where it goes.
 *
 * @param id             unique within the file
 * @param path           pattern with literal segments, {@code {name}} segments and a trailing {@code **}
 * @param methods        empty means every method
 * @param headers        header name to required exact value (all must match)
 * @param rewrite        default none
 * @param service        a key of {@code services}
 * @param connectTimeout overrides the service's, or null
 * @param readTimeout    overrides the service's, or null
 * @param auth           the {@code auth} section (security package)
 * @param rateLimits     the {@code rate-limits} section (ratelimit package)
 * @param resilience     deadline and fallback of this route (resilience package)
 * @param cache          the route's response cache: the domain's {@code cache.defaults} under its own {@code cache}
 * @param transform      request and response transformation (transform package), default none
 * @param grpc           the {@code grpc} section: the route's target is a gRPC method of its (gRPC)
 *                       service (docs/grpc.md); null for a proxied route
 */
public record RouteConfig(String id, String path, Set<String> methods, Map<String, String> headers,
                          RewriteConfig rewrite, String service, Duration connectTimeout, Duration readTimeout,
                          RouteAuthConfig auth, List<RateLimitConfig> rateLimits, RouteResilience resilience,
                          RouteCacheConfig cache, TransformConfig transform, GrpcRouteConfig grpc) {

    private static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE");

    static RouteConfig read(ConfigNode node, RouteCacheConfig cacheDefaults) {
        String id = node.requiredString("id");
        ConfigNode match = node.object("match");
        String path = match.requiredString("path");
        List<String> methodList = match.stringList("methods");
        Set<String> methods = new LinkedHashSet<>();
        for (String m : methodList) {
            String upper = m.toUpperCase(Locale.ROOT);
            if (!KNOWN_METHODS.contains(upper)) {
                throw match.error("methods", "unknown HTTP method '" + m + "'");
            }
            methods.add(upper);
        }
        Map<String, String> headers = match.stringMap("headers");
        match.rejectUnknownKeys();
        RewriteConfig rewrite = node.has("rewrite") ? RewriteConfig.read(node.object("rewrite")) : RewriteConfig.NONE;
        String service = node.requiredString("service");
        ConfigNode timeouts = node.object("timeouts");
        Duration connect = timeouts.duration("connect", null);
        Duration read = timeouts.duration("read", null);
        timeouts.rejectUnknownKeys();
        RouteAuthConfig auth = RouteAuthConfig.read(node); // auth, ip, max-body-size
        List<RateLimitConfig> rateLimits = RateLimitConfig.readAll(node, "rate-limits");
        RouteResilience resilience = node.has("resilience") ? RouteResilience.read(node.object("resilience"))
                : RouteResilience.NONE;
        RouteCacheConfig cache = RouteCacheConfig.read(node, "cache", cacheDefaults);
        TransformConfig transform = TransformConfig.read(node.object("transform"), true);
        GrpcRouteConfig grpc = node.has("grpc") ? GrpcRouteConfig.read(node.object("grpc")) : null;
        if (grpc != null && node.has("rewrite")) {
            throw node.error("rewrite", "a gRPC route has no upstream path to rewrite");
        }
        node.rejectUnknownKeys();
        return new RouteConfig(id, path, Set.copyOf(methods), Map.copyOf(headers), rewrite, service, connect, read,
                auth, rateLimits, resilience, cache, transform, grpc);
    }

    /**
     * The route a composition endpoint's pipeline (auth, rate limits) is built from, as for any
     * route: GET only, no rewrite, no service.
     */
    public static RouteConfig forComposition(CompositionConfig c) {
        return new RouteConfig(c.id(), c.path(), Set.of("GET"), Map.of(), RewriteConfig.NONE, null, null, null,
                c.auth(), c.rateLimits(), RouteResilience.NONE, RouteCacheConfig.OFF, c.transform(), null);
    }

    static List<RouteConfig> readAll(ConfigNode root, RouteCacheConfig cacheDefaults) {
        List<RouteConfig> routes = new ArrayList<>();
        for (ConfigNode r : root.objectList("routes")) {
            routes.add(read(r, cacheDefaults));
        }
        return routes;
    }
}
