package io.concierge.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.testing.Resources;

/**
 * The chain factory builds each proxied route's upstream stack once, from the route's and its
 * service's policies, and a layer the route has no policy for is absent from it; an API version that
 * names its own service gets that service's stack.
 */
class RouteChainsUpstreamStackTest {
    private static final GatewayConfig CONFIG = GatewayConfig.parse("test.yaml", """
            domain: shop
            prefixes: [/api]
            services:
              guarded:
                instances:
                  - url: http://127.0.0.1:9
                resilience:
                  retry: {attempts: 3}
                  bulkhead: {max-concurrent: 4}
              single-try:
                instances:
                  - url: http://127.0.0.1:9
                resilience:
                  retry: {attempts: 1}
            routes:
              - id: guarded
                match: {path: /api/guarded/**}
                service: guarded
              - id: single-try
                match: {path: /api/single/**}
                service: single-try
            """, k -> null);

    @Test
    void theStackListsTheLayersInOrderOutermostFirst() throws Exception {
        assertEquals(List.of("RequestDeadline", "BulkheadLimit", "ResponseRelay", "RetryWithBudget",
                "BreakerAndBalancer", "UpstreamExchange"), layers(CONFIG.routes().get(0), true));
    }

    @Test
    void aRouteWhoseServiceTriesOnceHasNoRetryLayer() throws Exception {
        assertEquals(List.of("RequestDeadline", "BulkheadLimit", "ResponseRelay", "BreakerAndBalancer",
                "UpstreamExchange"), layers(CONFIG.routes().get(1), true));
    }

    @Test
    void withoutResilienceOnlyTheRelayAndTheBalancerAreLeft() throws Exception {
        assertEquals(List.of("ResponseRelay", "BreakerAndBalancer", "UpstreamExchange"),
                layers(CONFIG.routes().get(0), false));
    }

    @Test
    void aVersionThatNamesAServiceGetsThatServicesStackBuiltOnce() throws Exception {
        GatewayConfig config = GatewayConfig.parse("test.yaml", """
                domain: shop
                prefixes: [/api]
                services:
                  single-try:
                    instances: [{url: http://127.0.0.1:9}]
                    resilience: {retry: {attempts: 1}}
                  guarded:
                    instances: [{url: http://127.0.0.1:9}]
                    resilience: {retry: {attempts: 3}, bulkhead: {max-concurrent: 4}}
                routes:
                  - {id: item, match: {path: "/api/items/{id}"}, service: single-try}
                versioning:
                  - id: items
                    routes: [item]
                    default: "1"
                    header: API-Version
                    versions: [{version: "1"}, {version: "2", service: guarded}, {version: "3"}]
                """, k -> null);
        try (Resources r = new Resources();
             ServerRuntime runtime = ServerRuntime.gateway(config, null)) {
            var groups = GatewayServer.buildServices(config);
            groups.values().forEach(g -> r.track((AutoCloseable) g::close));
            ProxyEngine engine = new ProxyEngine("test");
            RouteBackend.Service own = new RouteBackend.Service(engine, groups.get("single-try"),
                    r.track(new ServiceResilience(config.services().get("single-try").resilience(),
                            groups.get("single-try"))));
            RouteBackend.Service guarded = new RouteBackend.Service(engine, groups.get("guarded"),
                    r.track(new ServiceResilience(config.services().get("guarded").resilience(), groups.get("guarded"))));

            Chain chain = RouteChains.route(config, config.routes().get(0), runtime,
                    new RouteBackend.Versioned(own, java.util.Map.of("guarded", guarded)));

            List<ProxyTarget> targets = assertInstanceOf(VersionedTarget.class, chain.steps().getLast()).targets();
            assertEquals(List.of("single-try", "guarded", "single-try"),
                    targets.stream().map(t -> t.service().name()).toList());
            assertEquals(List.of("RequestDeadline", "BulkheadLimit", "ResponseRelay", "RetryWithBudget",
                    "BreakerAndBalancer", "UpstreamExchange"), targets.get(1).stack().layers());
            assertSame(targets.get(0), targets.get(2), "versions on the route's own service share its proxy");
        }
    }

    private static List<String> layers(RouteConfig route, boolean withResilience) throws Exception {
        try (Resources r = new Resources();
             ServerRuntime runtime = ServerRuntime.gateway(CONFIG, null)) {
            var groups = GatewayServer.buildServices(CONFIG);
            groups.values().forEach(g -> r.track((AutoCloseable) g::close));
            UpstreamGroup group = groups.get(route.service());
            ServiceResilience rz = withResilience
                    ? r.track(new ServiceResilience(CONFIG.services().get(route.service()).resilience(), group))
                    : null;
            Chain chain = RouteChains.route(CONFIG, route, runtime,
                    new RouteBackend.Service(new ProxyEngine("test"), group, rz));
            ProxyTarget target = assertInstanceOf(ProxyTarget.class, chain.steps().getLast());
            return target.stack().layers();
        }
    }
}
