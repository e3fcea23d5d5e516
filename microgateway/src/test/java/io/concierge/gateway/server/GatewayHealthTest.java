package io.concierge.gateway.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code /health} of a gateway, on the public and the admin port: UP (200) while every service has
 * an instance that accepts connections, DOWN (503) otherwise; the detail only on the admin port. Reachability is cached for a second
 * per gateway, so the "stopped" cases ask a gateway that has not probed yet rather than waiting.
 */
class GatewayHealthTest {
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    @Test
    void upWhileTheUpstreamRuns() throws IOException {
        WireUpstream upstream = track(WireUpstream.start());
        GatewayServer gateway = track(TestGateways.startOneRoute(upstream.port()));

        WireResponse r = WireClient.exchange(gateway.adminPort(), "GET", "/health");
        assertEquals(200, r.status(), r::toString);
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("no-store", r.header("Cache-Control"));
        JsonNode health = r.json();
        assertEquals("UP", health.get("status").asText());
        assertEquals("test", health.get("domain").asText());
        assertEquals(gateway.instanceId(), health.get("instance").asText());
        JsonNode backend = health.get("services").get("backend");
        assertEquals("UP", backend.get("status").asText());
        assertEquals("127.0.0.1:" + upstream.port(), backend.get("instances").get(0).get("address").asText());
        assertEquals("UP", backend.get("instances").get(0).get("status").asText());
        assertEquals(0, upstream.requestCount(), "health checks reachability, it sends no request");
    }

    /** Issue 12: addresses, counters and configuration are the admin port's, never the public one's. */
    @Test
    void thePublicPortSaysUpOrDownAndNothingElse() throws IOException {
        WireUpstream upstream = track(WireUpstream.start());
        GatewayServer gateway = track(TestGateways.startOneRoute(upstream.port(), WireUpstream.closedPort()));

        WireResponse r = WireClient.exchange(gateway.port(), "GET", "/health");

        assertEquals(200, r.status(), r::toString);
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("no-store", r.header("Cache-Control"));
        assertEquals("{\"status\":\"UP\"}", r.bodyText());

        GatewayServer down = track(TestGateways.startOneRoute(WireUpstream.closedPort()));
        WireResponse d = WireClient.exchange(down.port(), "GET", "/health");
        assertEquals(503, d.status(), d::toString);
        assertEquals("{\"status\":\"DOWN\"}", d.bodyText());
    }

    @Test
    void downWithTheUpstreamStopped() throws IOException {
        WireUpstream upstream = WireUpstream.start();
        GatewayServer gateway = track(TestGateways.startOneRoute(upstream.port()));
        upstream.close();

        WireResponse r = WireClient.exchange(gateway.adminPort(), "GET", "/health");

        assertEquals(503, r.status(), r::toString);
        JsonNode health = r.json();
        assertEquals("DOWN", health.get("status").asText());
        assertEquals("DOWN", health.get("services").get("backend").get("status").asText());
        assertEquals("DOWN", health.get("services").get("backend").get("instances").get(0).get("status").asText());
        assertEquals(503, WireClient.exchange(gateway.port(), "GET", "/health").status());
    }

    @Test
    void upWhileOneOfTwoInstancesRuns() throws IOException {
        WireUpstream upstream = track(WireUpstream.start());
        int closed = WireUpstream.closedPort();
        GatewayServer gateway = track(TestGateways.startOneRoute(closed, upstream.port()));

        WireResponse r = WireClient.exchange(gateway.adminPort(), "GET", "/health");

        assertEquals(200, r.status(), r::toString);
        JsonNode instances = r.json().get("services").get("backend").get("instances");
        assertEquals("DOWN", instances.get(0).get("status").asText());
        assertEquals("UP", instances.get(1).get("status").asText());
    }

    @Test
    void downWhenAnyServiceHasNoRunningInstance() throws IOException {
        WireUpstream upstream = track(WireUpstream.start());
        GatewayServer gateway = track(TestGateways.start("""
                domain: test
                prefixes: [/api]
                services:
                  up:
                    instances: [{url: "%s"}]
                  gone:
                    instances: [{url: "http://127.0.0.1:%d"}]
                routes:
                  - id: up
                    match: {path: /api/up/**}
                    service: up
                  - id: gone
                    match: {path: /api/gone/**}
                    service: gone
                """.formatted(upstream.url(), WireUpstream.closedPort())));

        WireResponse r = WireClient.exchange(gateway.adminPort(), "GET", "/health");

        assertEquals(503, r.status(), r::toString);
        assertEquals("UP", r.json().get("services").get("up").get("status").asText());
        assertEquals("DOWN", r.json().get("services").get("gone").get("status").asText());
    }

    @Test
    void theAdminPortServesNothingElse() throws IOException {
        WireUpstream upstream = track(WireUpstream.start());
        GatewayServer gateway = track(TestGateways.startOneRoute(upstream.port()));

        assertEquals(404, WireClient.exchange(gateway.adminPort(), "GET", "/api/x").status());
        assertEquals(0, upstream.requestCount());
    }
}
