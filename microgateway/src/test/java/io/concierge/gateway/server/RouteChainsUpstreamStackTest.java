package io.concierge.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

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
 * service's policies, and a layer the route has no policy for is absent from it.
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
