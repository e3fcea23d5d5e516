package io.concierge.edge.console;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.edge.EdgeConfig;
import io.concierge.edge.EdgeServer;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's JSON and actions over real sockets: a real edge and gateway sharing an in-memory
 * discovery, plus registrations whose admin port refuses connections or never answers. The state
 * still renders (bounded by the probe timeout) and shows those as DOWN with the reason; a gateway
 * that leaves stays listed as DOWN; actions check the edge's token before anything is forwarded.
 */
class ConsoleApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TOKEN = "console-test-token";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Resources resources = new Resources();

    @AfterEach
    void close() throws Exception {
        resources.close();
        http.close();
    }

    private EdgeServer edge(MemoryDiscovery discovery, String token) {
        Function<String, String> env = k -> k.equals("ADMIN_TOKEN") ? token : null;
        return resources.track(EdgeServer.start(EdgeConfig.parse("edge.yaml",
                "listen: {port: 0}\nadmin: {port: 0}\n", env), discovery));
    }

    private GatewayServer usersGateway(MemoryDiscovery discovery, int upstreamPort) {
        String yaml = """
                domain: users
                version: "v7"
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api/users]
                services:
                  backend:
                    instances:
                      - url: http://127.0.0.1:%d
                routes:
                  - id: users
                    match: {path: /api/users/**}
                    service: backend
                """.formatted(upstreamPort);
        return GatewayServer.start(GatewayConfig.parse("users.yaml", yaml, k -> k.equals("ADMIN_TOKEN") ? TOKEN
                : null), discovery);
    }

    private HttpResponse<String> send(String method, int port, String path, String auth) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        if (auth != null) {
            b.header("Authorization", auth);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode state(EdgeServer edge) throws IOException {
        HttpResponse<String> r = send("GET", edge.adminPort(), "/console/api/state", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        return JSON.readTree(r.body());
    }

    private static JsonNode domain(JsonNode state, String name) {
        for (JsonNode d : state.get("domains")) {
            if (d.path("name").asText().equals(name)) {
                return d;
            }
        }
        return null;
    }

    private static JsonNode instance(JsonNode state, String id) {
        for (JsonNode d : state.get("domains")) {
            for (JsonNode i : d.path("instances")) {
                if (i.path("id").asText().equals(id)) {
                    return i;
                }
            }
        }
        return null;
    }

    @Test
    void stateShowsUpAndDownGatewaysRatesAndErrorsWithinBoundedTime() throws Exception {
        MemoryDiscovery discovery = new MemoryDiscovery();
        // The users gateway's service refuses connections: every request is a 502 with its request id.
        GatewayServer users = usersGateway(discovery, WireUpstream.closedPort());
        java.util.concurrent.atomic.AtomicBoolean usersClosed = new java.util.concurrent.atomic.AtomicBoolean();
        resources.track(() -> {
            if (usersClosed.compareAndSet(false, true)) {
                users.close();
            }
        });
        WireUpstream mute = resources.track(WireUpstream.start(WireUpstream.heldUntil(
                new java.util.concurrent.CountDownLatch(1), WireUpstream.echo())));
        discovery.register(new Registration("orders-refusing", "orders", List.of("/api/orders"), "127.0.0.1",
                WireUpstream.closedPort(), WireUpstream.closedPort(), 1L, Map.of("version", "3")));
        discovery.register(new Registration("orders-mute", "orders", List.of("/api/orders"), "127.0.0.1",
                mute.port(), mute.port(), 2L, Map.of()));
        discovery.register(new Registration("catalog-static-0", "catalog", List.of("/api/catalog"), "127.0.0.1",
                WireUpstream.closedPort(), 0, 3L, Map.of()));
        EdgeServer edge = edge(discovery, null);

        JsonNode s = state(edge);
        assertEquals("memory", s.at("/discovery/type").asText());
        JsonNode u = instance(s, users.registration().instanceId());
        assertEquals("UP", u.path("status").asText(), u.toString());
        assertEquals("v7", u.path("version").asText());
        assertEquals("CLOSED", u.at("/breakers/0/breaker").asText());
        assertTrue(u.path("uptimeSeconds").isNumber(), u.toString());
        assertEquals(List.of("/api/users"), JSON.convertValue(domain(s, "users").get("prefixes"), List.class));
        JsonNode refusing = instance(s, "orders-refusing");
        assertEquals("DOWN", refusing.path("status").asText());
        assertEquals("connection refused", refusing.path("reason").asText());
        JsonNode muted = instance(s, "orders-mute");
        assertEquals("DOWN", muted.path("status").asText());
        assertEquals("no answer within 800 ms", muted.path("reason").asText());
        assertEquals("DOWN", domain(s, "orders").path("status").asText());
        // Nothing to ask without an admin port: not claimed to be down.
        assertEquals("UNKNOWN", instance(s, "catalog-static-0").path("status").asText());
        assertEquals("UNKNOWN", domain(s, "catalog").path("status").asText());

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port()
                    + "/api/users/" + i)).header("X-Request-Id", "console-req-" + i).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(502, r.statusCode());
        }
        Poll.until("the users domain shows its 502s as errors with their request ids and a rate", WAIT, () -> {
            try {
                JsonNode d = domain(state(edge), "users");
                return d.path("errors").size() >= 3 && d.at("/errors/0/requestId").asText().equals("console-req-2")
                        && d.path("errorRate").isNumber() && d.path("errorRate").asDouble() > 0
                        && d.path("p99Ms").isNumber();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode err = domain(state(edge), "users").at("/errors/0");
        assertEquals(502, err.path("status").asInt());
        assertEquals("GET", err.path("method").asText());
        assertEquals("/api/users/2", err.path("path").asText());

        // A gateway that leaves discovery is still listed, as DOWN.
        String id = users.registration().instanceId();
        usersClosed.set(true);
        users.close();
        Poll.until("the departed gateway is listed as DOWN", WAIT, () -> {
            try {
                JsonNode i = instance(state(edge), id);
                return i != null && i.path("status").asText().equals("DOWN")
                        && i.path("reason").asText().startsWith("no longer registered");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void pageAndAssetsAreServedWithAStrictPolicyAndOnlyReadMethods() {
        EdgeServer edge = edge(new MemoryDiscovery(), null);
        HttpResponse<String> page = send("GET", edge.adminPort(), "/console", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("/console/assets/console.js"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"));
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
        HttpResponse<String> js = send("GET", edge.adminPort(), "/console/assets/console.js", null);
        assertEquals(200, js.statusCode());
        assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertFalse(js.body().contains("innerHTML"), "the page builds DOM nodes, never HTML from the state");
        HttpResponse<String> missing = send("GET", edge.adminPort(), "/console/assets/..%2Fedge.yaml", null);
        assertEquals(404, missing.statusCode());
        HttpResponse<String> post = send("POST", edge.adminPort(), "/console", null);
        assertEquals(405, post.statusCode());
        assertEquals("application/problem+json", post.headers().firstValue("Content-Type").orElse(""));
        assertEquals(405, send("GET", edge.adminPort(), "/console/api/reload?target=edge", null).statusCode());
        // The public listener knows nothing of the console.
        assertNotEquals(200, send("GET", edge.port(), "/console", null).statusCode());
    }

    @Test
    void actionsCheckTheEdgesTokenBeforeForwardingAndOnlyToRegisteredInstances() throws Exception {
        MemoryDiscovery discovery = new MemoryDiscovery();
        EdgeServer unset = edge(discovery, null);
        HttpResponse<String> r = send("POST", unset.adminPort(), "/console/api/reload?target=edge",
                "Bearer " + TOKEN);
        assertEquals(403, r.statusCode());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));

        GatewayServer users = resources.track(usersGateway(discovery, WireUpstream.closedPort()));
        EdgeServer edge = edge(discovery, TOKEN);
        String instance = users.registration().instanceId();
        r = send("POST", edge.adminPort(), "/console/api/reload?instance=" + instance, "Bearer wrong");
        assertEquals(401, r.statusCode());
        assertEquals("Bearer realm=\"concierge-admin\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
        r = send("POST", edge.adminPort(), "/console/api/reload?target=edge", null);
        assertEquals(401, r.statusCode());
        r = send("DELETE", edge.adminPort(), "/console/api/cache?domain=users&prefix=/api/users", "Bearer nope");
        assertEquals(401, r.statusCode());

        String auth = "Bearer " + TOKEN;
        r = send("POST", edge.adminPort(), "/console/api/reload?instance=nobody-here", auth);
        assertEquals(404, r.statusCode());
        assertTrue(JSON.readTree(r.body()).path("detail").asText().contains("nobody-here"));
        assertEquals(400, send("POST", edge.adminPort(), "/console/api/reload", auth).statusCode());
        assertEquals(400, send("POST", edge.adminPort(), "/console/api/reload?target=10.0.0.1", auth).statusCode());
        assertEquals(404, send("DELETE", edge.adminPort(), "/console/api/cache?domain=ghost&prefix=/x", auth)
                .statusCode());
        assertEquals(400, send("DELETE", edge.adminPort(), "/console/api/cache?domain=users&prefix=x", auth)
                .statusCode());

        // With the right token, the target's own answer is relayed, whatever it is.
        HttpResponse<String> direct = send("POST", users.adminPort(), "/admin/reload", auth);
        r = send("POST", edge.adminPort(), "/console/api/reload?instance=" + instance, auth);
        assertEquals(direct.statusCode(), r.statusCode(), r.body());
        assertEquals(JSON.readTree(direct.body()).path("detail"), JSON.readTree(r.body()).path("detail"));
        direct = send("POST", edge.adminPort(), "/admin/reload", auth);
        r = send("POST", edge.adminPort(), "/console/api/reload?target=edge", auth);
        assertEquals(direct.statusCode(), r.statusCode(), r.body());
        direct = send("DELETE", users.adminPort(), "/admin/cache?prefix=%2Fapi%2Fusers", auth);
        r = send("DELETE", edge.adminPort(), "/console/api/cache?domain=users&prefix=/api/users", auth);
        assertEquals(direct.statusCode(), r.statusCode(), r.body());
    }
}
