package io.concierge.gateway.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.concierge.gateway.cache.CacheStep;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.proxy.UpstreamStack;
import io.concierge.gateway.ratelimit.RateLimitStep;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.rewrite.PathRewriter;
import io.concierge.gateway.routing.RouteTable;
import io.concierge.gateway.security.RouteAuthConfig;
import io.concierge.gateway.security.SecurityConfig;
import io.concierge.gateway.security.SecuritySteps;
import io.concierge.gateway.transform.TransformStep;
import io.concierge.gateway.versioning.VersionShapeStep;
import io.concierge.gateway.versioning.VersionStep;
import io.concierge.gateway.versioning.VersioningConfig;
import io.helidon.webserver.http.ServerResponse;

/**
 * The one place where a gateway's request chains are assembled, so the whole request path can be
 * read here, step by step, in the order the steps run. A chain contains only the steps its
 * configuration uses: an unused feature is absent, not skipped per request. The edge's chain is
 * built the same way by {@code io.concierge.edge.EdgeChain} in edge-router, from the same front
 * steps and shared security and rate-limit steps.
 *
 * <pre>
 * gateway, every request: request id → admission → /health → route match ─┐
 *   the matched route:    client IP → IP lists → strip identity → auth → body limit
 *                         → rate limits → version → cache → transform → version shape
 *                         → proxy: deadline → bulkhead → relay → retry
 *                                               → breaker + balancer → upstream exchange
 *                                       | the selected version's proxy (versions that name services)
 *                                       | composition | gRPC method (transcoded)
 * a local composition call: route match ─┘ (in process; the client's request passed the front)
 * </pre>
 *
 * Authentication runs before limits so limits can key on the verified consumer and anonymous
 * floods are refused before they consume anyone's budget.
 */
public final class RouteChains {
    private RouteChains() {
    }

    /** What every request of a gateway passes before its route's own chain ({@link #route}). */
    static Chain gateway(GatewayConfig config, Consumer<ServerResponse> publicHealth, RouteTable<GatewayRoute> routes) {
        return Chain.of(List.of(
                new RequestIdStep(),
                new AdmissionStep(config.limits().allowEncodedSlash()),
                new HealthStep(publicHealth),
                new RouteMatchStep(routes)));
    }

    /**
     * What a local composition call runs ({@code LocalRouteCalls}): the route its path matches, then
     * that route's chain, in process. No request id, admission or /health: the call carries the
     * client request's id, and the gateway rendered its target itself.
     */
    static Chain local(RouteTable<GatewayRoute> routes) {
        return Chain.of(List.of(new RouteMatchStep(routes)));
    }

    /**
     * One route's chain, ending in its target: for a proxied service the upstream stack, each layer
     * present only when the route's (or its service's) policy asks for it.
     */
    public static Chain route(GatewayConfig gateway, RouteConfig route, ServerRuntime runtime, RouteBackend backend) {
        SecurityConfig security = gateway.security();
        RouteAuthConfig auth = route.auth();
        List<Step> steps = new ArrayList<>();
        if (!security.trustedProxies().isEmpty()) {
            steps.add(SecuritySteps.clientIp(security.trustedProxies(), false));
        }
        if (!auth.ipAllow().isEmpty() || !auth.ipDeny().isEmpty()) {
            steps.add(SecuritySteps.ipList(auth.ipAllow(), auth.ipDeny(), runtime.domainSecurity()));
        }
        steps.add(SecuritySteps.stripIdentity(security.identityHeaders()));
        if (SecuritySteps.needsAuth(auth, security)) {
            steps.add(SecuritySteps.auth(route.id(), auth, runtime.domainSecurity()));
        }
        if (auth.maxBodySize() >= 0) {
            steps.add(SecuritySteps.bodyLimit(auth.maxBodySize(), runtime.securityStats()));
        }
        addIfPresent(steps, RateLimitStep.forRoute(gateway.rateLimits(), route.id(), route.rateLimits(),
                runtime.rateLimiting()));
        VersioningConfig versioning = gateway.versioningOf(route.id());
        if (versioning != null) {
            steps.add(new VersionStep(versioning, runtime.versionStats()));
        }
        // After version selection, so a version chosen by a header reaches the cache as Vary; before the
        // transformations, so the cache stores (and serves) the transformed representation.
        addIfPresent(steps, CacheStep.forRoute(route.id(), route.cache(), runtime.cache(), gateway.cache().tagHeader()));
        addIfPresent(steps, TransformStep.forConfig(route.id(), route.transform(), runtime.transformStats()));
        if (versioning != null) {
            // Inside the route's own transformation, so the version's shape is made before an envelope.
            steps.add(new VersionShapeStep(versioning, route.id(), runtime.transformStats()));
        }
        // The backend. API versions that name their own service each get their proxy here, at load;
        // per request the selected version's is picked (the version shape step rewrote the path for it).
        steps.add(switch (backend) {
            case RouteBackend.Composition c -> c.target();
            case RouteBackend.Grpc g -> g.target();
            case RouteBackend.Service s -> proxy(route, s);
            case RouteBackend.Versioned v -> versioned(route, versioning, v);
        });
        return Chain.of(steps);
    }

    /**
     * The route's proxy to {@code service}: the upstream stack from the service's policies (the route's
     * deadline and timeouts win), then the route's rewrite on the path the steps before left.
     */
    private static ProxyTarget proxy(RouteConfig route, RouteBackend.Service service) {
        ServiceResilience rz = service.resilience();
        UpstreamStack upstream = UpstreamStack.outermostFirst()
                .deadline(deadline(route, rz))
                .bulkhead(rz)
                .relay()
                .retry(rz)
                .breakerAndBalancer(rz)
                .exchange(service.engine().exchange());
        return new ProxyTarget(service.engine(), new PathRewriter(route.rewrite()), service.group(), rz,
                route.connectTimeout() != null ? route.connectTimeout() : service.group().connectTimeout(),
                route.readTimeout() != null ? route.readTimeout() : service.group().readTimeout(),
                route.resilience().fallback(), upstream);
    }

    /**
     * Every API version's proxy, built once here: to the service the version names, else to the
     * route's own; versions that share a service share its proxy. A request then only picks one.
     */
    private static VersionedTarget versioned(RouteConfig route, VersioningConfig versioning,
                                             RouteBackend.Versioned backend) {
        ProxyTarget own = proxy(route, backend.own());
        Map<String, ProxyTarget> byService = new HashMap<>();
        List<ProxyTarget> targets = new ArrayList<>();
        for (VersioningConfig.ApiVersion v : versioning.versions()) {
            targets.add(v.service() == null || v.service().equals(route.service()) ? own
                    : byService.computeIfAbsent(v.service(), name -> proxy(route, backend.versionServices().get(name))));
        }
        return new VersionedTarget(targets, versioning.names().indexOf(versioning.defaultVersion()));
    }

    /** The route's deadline, else its service's; null (no deadline layer) without either. */
    private static Duration deadline(RouteConfig route, ServiceResilience rz) {
        if (route.resilience().deadline() != null) {
            return route.resilience().deadline();
        }
        return rz == null ? null : rz.config().deadline();
    }

    private static void addIfPresent(List<Step> steps, Step step) {
        if (step != null) {
            steps.add(step);
        }
    }
}
