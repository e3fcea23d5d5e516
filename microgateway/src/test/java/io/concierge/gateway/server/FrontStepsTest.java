package io.concierge.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.routing.PathPattern;
import io.concierge.gateway.routing.RouteTable;
import io.concierge.gateway.testing.DirectChain;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.ClientResponseTyped;

/** The shared front steps (request id, admission, /health, route match) without a socket. */
class FrontStepsTest {

    @Test
    void requestIdKeepsASaneOneAndReplacesAnythingElseOnEveryAnswer() {
        try (DirectChain chain = DirectChain.of(new RequestIdStep(), DirectChain.answer(404, Map.of(), "no"))) {
            ClientResponseTyped<String> kept = chain.get("/x").header(HeaderNames.create("X-Request-Id"), "abc-123")
                    .request(String.class);
            assertEquals("abc-123", kept.headers().first(HeaderNames.create("X-Request-Id")).orElse(null));
            assertEquals("abc-123", chain.lastExchange().requestId());
            ClientResponseTyped<String> replaced = chain.get("/x").header(HeaderNames.create("X-Request-Id"), "bad id\t")
                    .request(String.class);
            String id = replaced.headers().first(HeaderNames.create("X-Request-Id")).orElse("");
            assertNotEquals("bad id\t", id);
            assertEquals(36, id.length(), "a UUID");
        }
    }

    @Test
    void admissionParsesTheRawPathForTheStepsAfterIt() {
        // Refusals need bytes Helidon's client will not send (it re-encodes paths): they are
        // covered on a real socket by HostileInputTest and PathSpellingTest.
        DirectChain.Terminal upstream = DirectChain.answer(200, Map.of(), "ok");
        try (DirectChain chain = DirectChain.of(new AdmissionStep(false), upstream)) {
            assertEquals(200, chain.get("/api/ok").request(String.class).status().code());
            assertEquals("/api/ok", chain.lastExchange().path().raw());
        }
    }

    @Test
    void healthAnswersOnlyItsOwnPath() {
        DirectChain.Terminal upstream = DirectChain.answer(200, Map.of(), "upstream");
        try (DirectChain chain = DirectChain.of(new HealthStep(res -> res.send("{\"status\":\"UP\"}")), upstream)) {
            assertEquals("{\"status\":\"UP\"}", chain.get("/health").request(String.class).entity());
            assertFalse(upstream.reached());
            assertEquals("upstream", chain.get("/healthz").request(String.class).entity());
        }
    }

    @Test
    void routeMatchGoesOnWithTheRoutesOwnChainOr404Or405() {
        GatewayConfig config = GatewayConfig.parse("match.yaml", """
                domain: shop
                prefixes: [/api]
                services:
                  backend:
                    instances:
                      - url: http://127.0.0.1:9
                routes:
                  - id: items
                    match: {path: "/api/items/{id}", methods: [GET]}
                    service: backend
                """, k -> null);
        DirectChain.Terminal target = DirectChain.answer(200, Map.of(), "item");
        GatewayRoute route = new GatewayRoute(config.routes().get(0), Chain.of(List.of(target)));
        RouteTable<GatewayRoute> table = new RouteTable<>(List.of(new RouteTable.Entry<>(
                PathPattern.compile("/api/items/{id}"), Set.of("GET"), Map.of(), 0, route)));
        try (DirectChain chain = DirectChain.of(new RouteMatchStep(table))) {
            assertEquals("item", chain.get("/api/items/7").request(String.class).entity());
            assertEquals("items", chain.lastExchange().routeId());
            assertEquals(Map.of("id", "7"), chain.lastExchange().pathParams());
            ClientResponseTyped<String> post = chain.method(Method.POST, "/api/items/7").request(String.class);
            assertEquals(405, post.status().code());
            assertEquals("GET", post.headers().first(HeaderNames.ALLOW).orElse(null));
            assertEquals(404, chain.get("/api/other").request(String.class).status().code());
        }
        assertTrue(target.reached());
    }

    @Test
    void aRoutesChainHasOnlyTheStepsItsConfigurationUses() {
        GatewayConfig config = GatewayConfig.parse("plain.yaml", """
                domain: shop
                prefixes: [/api]
                services:
                  backend:
                    instances:
                      - url: http://127.0.0.1:9
                routes:
                  - id: plain
                    match: {path: /api/**}
                    service: backend
                """, k -> null);
        try (ServerRuntime runtime = ServerRuntime.gateway(config, null)) {
            List<?> steps = RouteChains.route(config, config.routes().get(0), runtime,
                    new RouteBackend.Composition(new CompositionTarget(null))).steps();
            assertEquals(2, steps.size(), "strip identity, then the target; no auth, no limits: " + steps);
            assertEquals(null, runtime.rateLimiting(), "no limits configured, no rate-limiting state built");
        }
    }
}
