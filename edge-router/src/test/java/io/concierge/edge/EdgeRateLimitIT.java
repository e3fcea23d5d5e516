package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.discovery.StaticDiscovery;
import io.helidon.webserver.WebServer;
import io.concierge.gateway.testing.Poll;

/**
 * Edge-wide limits shared by two edge instances through their cluster members: the demo's
 * "every request under /api, 100 per minute per client IP" at a smaller scale. Requests outside
 * the limit's paths and {@code /health} are not limited.
 */
class EdgeRateLimitIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static MeshFixture mesh;
    private static final List<EdgeServer> edges = new ArrayList<>();

    @BeforeAll
    static void start() {
        mesh = new MeshFixture();
        WebServer upstream = mesh.upstream("shop");
        String yaml = """
                listen: {port: 0}
                admin: {port: 0}
                discovery:
                  type: static
                  gateways:
                    - domain: shop
                      prefixes: [/api, /public]
                      instances: [http://127.0.0.1:%d]
                rate-limits:
                  - name: edge-api
                    limit: 20
                    window: 1m
                    mode: fast
                    cluster-timeout: 2s
                    match: {paths: [/api/**]}
                """.formatted(upstream.port());
        EdgeConfig config = EdgeConfig.parse("edge.yaml", yaml, k -> null);
        for (int i = 0; i < 2; i++) {
            MeshFixture.Member m = mesh.member("edge-" + i);
            EdgeServer e = EdgeServer.start(config, new StaticDiscovery(EdgeMain.staticRegistrations(config.discovery())),
                    m.hz());
            edges.add(e);
        }
        Poll.until("both edges count two instances", Duration.ofSeconds(30), () -> edges.stream()
                .allMatch(e -> health(e).path("rateLimiting").path("instances").asInt() == 2));
    }

    @AfterAll
    static void stop() {
        edges.forEach(EdgeServer::close);
        mesh.close();
    }

    @Test
    void theEdgeLimitHoldsAcrossEdgeInstancesAndOnlyOnItsPaths() {
        Map<Integer, Integer> statuses = new HashMap<>();
        HttpResponse<String> rejected = null;
        for (int i = 0; i < 60; i++) {
            HttpResponse<String> r = mesh.get(edges.get(i % 2).port(), "/api/items/" + i);
            statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() == 200) {
                assertTrue(r.headers().firstValue("RateLimit-Policy").orElse("").equals("\"edge-api\";q=20;w=60"),
                        r.headers().map().toString());
            } else if (rejected == null) {
                rejected = r;
            }
        }
        int allowed = statuses.getOrDefault(200, 0);
        // Fast mode never admits more than the limit; at most the permits leased to the two
        // instances (2 × 20 / 8) fewer.
        assertTrue(allowed <= 20 && allowed >= 20 - 2 * (20 / 8), statuses.toString());
        assertEquals(60 - allowed, statuses.getOrDefault(429, 0), statuses.toString());

        assertEquals(429, rejected.statusCode());
        assertEquals("application/problem+json", rejected.headers().firstValue("Content-Type").orElse(null));
        assertTrue(Long.parseLong(rejected.headers().firstValue("Retry-After").orElse("0")) >= 1);
        assertTrue(rejected.headers().firstValue("RateLimit").orElse("").startsWith("\"edge-api\";r=0;t="));

        HttpResponse<String> outside = mesh.get(edges.get(0).port(), "/public/x");
        assertEquals(200, outside.statusCode());
        assertFalse(outside.headers().firstValue("RateLimit").isPresent());
        assertEquals(200, mesh.get(edges.get(1).port(), "/health").statusCode());

        long rejectedTotal = 0;
        for (EdgeServer e : edges) {
            JsonNode rl = health(e).path("rateLimiting");
            assertEquals("reachable", rl.path("cluster").asText());
            JsonNode limit = rl.path("limits").path(0);
            assertEquals("edge-api", limit.path("name").asText());
            assertEquals("edge", limit.path("scope").asText());
            assertEquals("fast", limit.path("mode").asText());
            rejectedTotal += limit.path("rejected").asLong();
        }
        assertEquals(60 - allowed, rejectedTotal);
    }

    @Test
    void edgeLimitsAreValidatedWithTheirYamlPath() {
        ConfigException e = assertThrows(ConfigException.class, () -> EdgeConfig.parse("edge.yaml",
                "rate-limits: [{name: api, limit: 0}]\n", k -> null));
        assertEquals("edge.yaml: rate-limits[0].limit: must be between 1 and 1000000000 (was 0)", e.getMessage());
    }

    private static JsonNode health(EdgeServer e) {
        try {
            return JSON.readTree(mesh.get(e.adminPort(), "/health").body());
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
