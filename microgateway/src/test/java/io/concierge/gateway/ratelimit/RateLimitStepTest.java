package io.concierge.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;
import io.concierge.gateway.testing.DirectChain;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.ClientResponseTyped;

/** The rate-limit step without a socket: its headers go on the upstream's answer; a rejection never reaches it. */
class RateLimitStepTest {
    private static final GatewayConfig CONFIG = GatewayConfig.parse("rl-step.yaml", """
            domain: shop
            prefixes: [/api]
            services:
              backend:
                instances:
                  - url: http://127.0.0.1:9
            routes:
              - id: limited
                match: {path: /api/limited/**}
                service: backend
                rate-limits:
                  - {name: per-client, key: header:X-Client, limit: 2, window: 60s, mode: local}
              - id: open
                match: {path: /api/open/**}
                service: backend
            """, k -> null);

    @Test
    void theLimitsHeadersReplaceTheUpstreamsOnItsAnswerAndARejectionNeverReachesIt() {
        DirectChain.Terminal upstream = DirectChain.answer(200,
                Map.of("RateLimit", "\"upstream\";r=999;t=0", "RateLimit-Policy", "\"upstream\";q=1000;w=1"), "ok");
        try (RateLimiting state = RateLimiting.create("shop", null);
             DirectChain chain = DirectChain.of(forRoute(CONFIG.routes().get(0), state),
                     upstream)) {
            ClientResponseTyped<String> first = chain.get("/api/limited/x").header(HeaderNames.create("X-Client"), "a")
                    .request(String.class);
            assertEquals(200, first.status().code());
            assertEquals(List.of("\"per-client\";q=2;w=60"), first.headers().values(RateLimitResponses.RATELIMIT_POLICY));
            List<String> limitState = first.headers().values(RateLimitResponses.RATELIMIT);
            assertEquals(1, limitState.size(), limitState.toString());
            assertTrue(limitState.get(0).startsWith("\"per-client\";r=1;t="), "the gateway's state, not the upstream's: " + limitState);
            assertEquals("ok", first.entity());
            chain.get("/api/limited/x").header(HeaderNames.create("X-Client"), "a").request(String.class);
            upstream.reset();
            ClientResponseTyped<String> third = chain.get("/api/limited/x").header(HeaderNames.create("X-Client"), "a")
                    .request(String.class);
            assertEquals(429, third.status().code());
            assertTrue(third.headers().first(HeaderNames.RETRY_AFTER).isPresent());
            assertTrue(third.entity().contains("per-client"), third.entity());
            assertFalse(upstream.reached(), "a rejected request costs the upstream nothing");
        }
    }

    @Test
    void aRouteWithoutLimitsGetsNoStep() {
        try (RateLimiting state = RateLimiting.create("shop", null)) {
            assertNull(forRoute(CONFIG.routes().get(1), state));
        }
        assertEquals(Map.of("limits", List.of()), RateLimitStep.health(null));
    }

    private static RateLimitStep forRoute(RouteConfig route, RateLimiting state) {
        return RateLimitStep.forRoute(CONFIG.rateLimits(), route.id(), route.rateLimits(), state);
    }
}
