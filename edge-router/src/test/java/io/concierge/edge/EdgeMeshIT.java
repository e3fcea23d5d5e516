package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.concierge.gateway.server.GatewayServer;
import io.helidon.webserver.WebServer;
import io.concierge.gateway.testing.Poll;

/**
 * The edge with the embedded registry on a real multi-member Hazelcast cluster: dispatch by
 * prefix, gateways joining, leaving and dying, the 404/503 distinction and prefix conflicts.
 * Tests run in order because they share one mesh (starting cluster members is the slow part).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeMeshIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static MeshFixture mesh;
    private static EdgeServer edge;
    private static WebServer productService;
    private static WebServer productServiceB;
    private static WebServer userService;

    @BeforeAll
    static void startMesh() {
        mesh = new MeshFixture();
        edge = mesh.edge(mesh.member("edge"));
        productService = mesh.upstream("product-service");
        // The second products gateway fronts its own upstream so a response tells which gateway served it.
        productServiceB = mesh.upstream("product-service-b");
        userService = mesh.upstream("user-service");
        mesh.gateway(mesh.member("products-1"), "products", List.of("/api/products"), productService);
        mesh.gateway(mesh.member("products-2"), "products", List.of("/api/products"), productServiceB);
        mesh.gateway(mesh.member("users-1"), "users", List.of("/api/users"), userService);
        Poll.until("edge sees 2 products and 1 users instance", WAIT,
                () -> Integer.valueOf(2).equals(edge.liveInstances().get("products"))
                        && Integer.valueOf(1).equals(edge.liveInstances().get("users")));
    }

    @AfterAll
    static void stopMesh() {
        mesh.close();
    }

    @Test
    @Order(1)
    void dispatchesByPrefixThroughTheOwningGateway() {
        HttpResponse<String> r = mesh.get(edge.port(), "/api/products/p1?x=1");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().equals("product-service /api/products/p1")
                || r.body().equals("product-service-b /api/products/p1"), r.body());
        assertTrue(r.headers().firstValue("Via").orElse("").contains("concierge-products"), r.headers().map().toString());
        assertTrue(r.headers().firstValue("Via").orElse("").contains("concierge-edge"));
        HttpResponse<String> u = mesh.get(edge.port(), "/api/users/1");
        assertEquals(200, u.statusCode());
        assertEquals("user-service /api/users/1", u.body());
    }

    @Test
    @Order(2)
    void spreadsRequestsOverBothInstancesOfADomain() {
        Map<String, Integer> servedBy = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = mesh.get(edge.port(), "/api/products");
            assertEquals(200, r.statusCode());
            servedBy.merge(r.headers().firstValue("X-Served-By").orElse("?"), 1, Integer::sum);
        }
        // Round-robin over the two gateway instances: exactly half each.
        assertEquals(Map.of("product-service", 10, "product-service-b", 10), servedBy);
    }

    @Test
    @Order(3)
    void unknownPrefixIs404Problem() {
        HttpResponse<String> r = mesh.get(edge.port(), "/api/nothing-here");
        assertEquals(404, r.statusCode());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.body().contains("\"status\":404"), r.body());
        assertTrue(r.headers().firstValue("X-Request-Id").isPresent());
    }

    @Test
    @Order(4)
    void aGatewayJoiningIsServedWithoutRestart() {
        WebServer orderService = mesh.upstream("order-service");
        assertEquals(404, mesh.get(edge.port(), "/api/orders").statusCode());
        mesh.gateway(mesh.member("orders-1"), "orders", List.of("/api/orders"), orderService);
        Poll.until("orders reachable through the edge", WAIT,
                () -> mesh.get(edge.port(), "/api/orders/o1").statusCode() == 200);
        assertEquals("order-service /api/orders/o1", mesh.get(edge.port(), "/api/orders/o1").body());
    }

    @Test
    @Order(5)
    void aConflictingPrefixKeepsTheFirstOwnerAndShowsInHealth() {
        WebServer rogue = mesh.upstream("rogue-service");
        mesh.gateway(mesh.member("rogue-1"), "rogue", List.of("/api/products", "/api/rogue"), rogue);
        Poll.until("rogue domain registered", WAIT, () -> edge.liveInstances().containsKey("rogue"));
        for (int i = 0; i < 5; i++) {
            assertTrue(mesh.get(edge.port(), "/api/products/p2").body().startsWith("product-service"));
        }
        assertEquals("rogue-service /api/rogue", mesh.get(edge.port(), "/api/rogue").body());
        String health = mesh.get(edge.adminPort(), "/health").body();
        assertTrue(health.contains("prefix /api/products is owned by 'products'; claim by 'rogue' ignored"), health);
    }

    @Test
    @Order(6)
    void aDeadGatewayDisappearsAndItsDomainAnswers503WithRetryAfter() {
        MeshFixture.Member payments = mesh.member("payments-1");
        WebServer paymentService = mesh.upstream("payment-service");
        GatewayServer gw = mesh.gateway(payments, "payments", List.of("/api/payments"), paymentService);
        Poll.until("payments reachable", WAIT, () -> mesh.get(edge.port(), "/api/payments").statusCode() == 200);
        // Crash: the cluster member vanishes without deregistering, then the listener goes too.
        payments.crash();
        gw.close();
        Poll.until("payments gone from the edge's table", WAIT,
                () -> !edge.liveInstances().containsKey("payments"));
        HttpResponse<String> r = mesh.get(edge.port(), "/api/payments/1");
        assertEquals(503, r.statusCode());
        assertEquals("5", r.headers().firstValue("Retry-After").orElse(""));
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    @Order(7)
    void aGracefullyLeavingInstanceStopsReceivingTrafficAndTheOtherCarriesOn() {
        MeshFixture.Member m = mesh.member("users-2");
        GatewayServer second = mesh.gateway(m, "users", List.of("/api/users"), userService);
        Poll.until("two users instances", WAIT, () -> Integer.valueOf(2).equals(edge.liveInstances().get("users")));
        second.close();
        Poll.until("one users instance", WAIT, () -> Integer.valueOf(1).equals(edge.liveInstances().get("users")));
        for (int i = 0; i < 10; i++) {
            assertEquals(200, mesh.get(edge.port(), "/api/users/1").statusCode());
        }
    }

    @Test
    @Order(8)
    void metricsAndAdminNeverLeakThroughThePublicPort() {
        assertEquals(404, mesh.get(edge.port(), "/metrics").statusCode());
        assertEquals(200, mesh.get(edge.adminPort(), "/health").statusCode());
    }
}
