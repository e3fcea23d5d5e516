package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * Issue 12 at a real edge in front of a recording stand-in gateway, over raw sockets: a dot segment
 * hidden behind path parameters never leaves the edge (item 6), and the public {@code /health}
 * says UP and nothing else while the admin port keeps the detail (item 12).
 */
class EdgePathAndHealthTest {
    static WireUpstream gateway;
    static EdgeServer edge;

    @BeforeAll
    static void start() {
        gateway = WireUpstream.start(WireUpstream.echo());
        List<Registration> regs = List.of(new Registration("shop-1", "shop", List.of("/api"), "127.0.0.1",
                gateway.port(), 0, 0L, Map.of()));
        edge = EdgeServer.start(EdgeConfig.parse("edge.yaml", """
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                discovery: {type: static}
                """, k -> null), new StaticDiscovery(regs));
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/api/..;/admin",
            "/api/%2e%2e;/admin",
            "/api/%2E%2e;x=y/admin",
            "/api/.%2e;/admin",
            "/api/.;/admin",
            "/api/..%3b/admin",
            "/api/..%3B/admin",
            "/api/;x/admin",
            "/..;/api/admin"})
    void aDotSegmentWithPathParametersIs400ProblemAtTheEdge(String target) throws IOException {
        int before = gateway.requestCount();

        WireResponse r = WireClient.exchange(edge.port(), "GET", target);

        assertEquals(400, r.status(), r::toString);
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals(400, r.json().get("status").asInt());
        assertEquals(r.header("X-Request-Id"), r.json().get("requestId").asText());
        assertEquals(before, gateway.requestCount(), "nothing reached the gateway");
    }

    @Test
    void pathParametersOnOrdinarySegmentsStillPass() throws IOException {
        WireResponse r = WireClient.exchange(edge.port(), "GET", "/api/a;v=1/b");

        assertEquals(200, r.status(), r::toString);
        assertEquals("/api/a;v=1/b", gateway.lastRequest().target());
    }

    @Test
    void thePublicHealthSaysUpAndNothingElse() throws IOException {
        WireResponse r = WireClient.exchange(edge.port(), "GET", "/health");

        assertEquals(200, r.status(), r::toString);
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("no-store", r.header("Cache-Control"));
        assertEquals("{\"status\":\"UP\"}", r.bodyText());
        assertFalse(r.bodyText().contains(String.valueOf(gateway.port())), "no instance address");
    }

    @Test
    void theAdminHealthKeepsTheDetail() throws IOException {
        WireResponse r = WireClient.exchange(edge.adminPort(), "GET", "/health");

        assertEquals(200, r.status(), r::toString);
        JsonNode health = r.json();
        assertEquals("UP", health.get("status").asText());
        JsonNode shop = health.get("domains").get("shop");
        assertEquals("127.0.0.1:" + gateway.port(), shop.get("instances").get(0).asText());
        assertEquals("/api", shop.get("prefixes").get(0).asText());
        assertEquals("static", health.get("discovery").get("type").asText());
    }

    /** Liveness for orchestrators (the compose healthcheck), as on a gateway's admin port; never on the public port. */
    @Test
    void theAdminPortAnswersLiveness() throws IOException {
        WireResponse r = WireClient.exchange(edge.adminPort(), "GET", "/health/live");

        assertEquals(200, r.status(), r::toString);
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("no-store", r.header("Cache-Control"));
        assertEquals("{\"status\":\"UP\"}", r.bodyText());
        assertFalse(r.bodyText().contains(String.valueOf(gateway.port())), "no instance address");
    }
}
