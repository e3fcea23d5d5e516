package io.concierge.demo.orders;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.demo.products.ProductService;
import io.concierge.demo.users.UserService;
import io.concierge.edge.EdgeConfig;
import io.concierge.edge.EdgeServer;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Poll;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's three compositions, end to end: the real demo services, the users, products and
 * orders gateways started from their real {@code gateway.yaml} files (two users gateways, as in
 * the demo), an edge in front, all on ephemeral ports and sharing one discovery. Every request
 * goes through the edge, as {@code ./concierge demo} serves it.
 */
class CompositionDemoIT {
    private static final String SECRET = "composition-demo-test-secret-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EDGE = """
            listen: {host: 127.0.0.1, port: 0}
            admin: {host: 127.0.0.1, port: 0}
            upstream:
              timeouts: {connect: 500ms, read: 10s}
            """;

    private static final List<AutoCloseable> RESOURCES = new ArrayList<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static EdgeServer edge;

    @BeforeAll
    static void start() {
        MemoryDiscovery discovery = new MemoryDiscovery();
        WebServer users = UserService.start(0, SECRET);
        WebServer products = ProductService.start(0);
        WebServer orders = OrderService.start(0);
        RESOURCES.add(users::stop);
        RESOURCES.add(products::stop);
        RESOURCES.add(orders::stop);
        Map<String, String> env = Map.of("USER_SERVICE_PORT", String.valueOf(users.port()),
                "PRODUCT_SERVICE_PORT", String.valueOf(products.port()),
                "ORDER_SERVICE_PORT", String.valueOf(orders.port()),
                "JWT_SECRET", SECRET);
        for (String domain : List.of("users", "users", "products", "orders")) {
            GatewayConfig config = GatewayConfig.load(Path.of("..", domain, "gateway.yaml"), env::get);
            RESOURCES.add(0, GatewayServer.start(config, discovery));
        }
        edge = EdgeServer.start(EdgeConfig.parse("edge.yaml", EDGE, Map.<String, String>of()::get), discovery);
        RESOURCES.add(0, edge::close);
        Poll.until("the edge routes to every domain", Duration.ofSeconds(10),
                () -> get("/api/products/p1", null).statusCode() == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable r : RESOURCES) {
            r.close();
        }
    }

    private static HttpResponse<String> get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode json(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String login(String user) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/api/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"" + user + "-pw\"}"))
                .build();
        return json(HTTP.send(req, HttpResponse.BodyHandlers.ofString()), 200).path("token").asText();
    }

    @Test
    void productDetailsIsTheProductWithReviewsAndInventory() {
        HttpResponse<String> r = get("/api/product-details/p1", null);
        JsonNode doc = json(r, 200);
        assertEquals("p1", doc.path("id").asText());
        assertEquals("Espresso beans, 1 kg", doc.path("name").asText());
        assertEquals(2, doc.path("reviews").size());
        assertEquals("r1", doc.path("reviews").get(0).path("id").asText());
        assertTrue(doc.path("inventory").path("inStock").asBoolean());
        assertEquals(42, doc.path("inventory").path("quantity").asInt());
        assertFalse(doc.has("_partial"));
        assertTrue(r.headers().firstValue("X-Concierge-Partial").isEmpty());

        JsonNode missing = json(get("/api/product-details/p999", null), 404);
        assertEquals("product", missing.path("part").asText());
    }

    @Test
    void orderDetailsIsTheOrderWithItsCustomerAndEachItemsProduct() throws Exception {
        String alice = login("alice");
        JsonNode doc = json(get("/api/order-details/o3", alice), 200);
        assertEquals("o3", doc.path("id").asText());
        assertEquals("1", doc.path("userId").asText());
        assertEquals("1", doc.path("customer").path("id").asText());
        assertEquals("alice@example.com", doc.path("customer").path("email").asText(doc.path("customer").toString()));
        JsonNode items = doc.path("items");
        assertEquals(2, items.size());
        assertEquals("p2", items.get(0).path("product").path("id").asText());
        assertEquals("Pour-over kettle", items.get(0).path("product").path("name").asText());
        assertEquals("p5", items.get(1).path("product").path("id").asText());
        assertFalse(doc.has("_partial"));

        // bob's order: the order service refuses alice, so the composition does too.
        JsonNode refused = json(get("/api/order-details/o8", alice), 403);
        assertEquals("order", refused.path("part").asText());
        json(get("/api/order-details/o8", login("admin")), 200);
        json(get("/api/order-details/o3", null), 401);
        assertEquals("order", json(get("/api/order-details/o999", alice), 404).path("part").asText());
    }

    @Test
    void dashboardIsTheCallersProfileAndTheirFiveNewestOrders() throws Exception {
        JsonNode alice = json(get("/api/dashboard", login("alice")), 200);
        assertEquals("1", alice.path("profile").path("id").asText());
        assertEquals("alice", alice.path("profile").path("username").asText());
        JsonNode orders = alice.path("recentOrders");
        assertEquals(5, orders.size());
        String previous = "9999";
        for (JsonNode o : orders) {
            assertEquals("1", o.path("userId").asText());
            assertTrue(o.path("createdAt").asText().compareTo(previous) < 0, "newest first");
            previous = o.path("createdAt").asText();
        }
        JsonNode bob = json(get("/api/dashboard", login("bob")), 200);
        assertEquals("2", bob.path("profile").path("id").asText());
        assertEquals(2, bob.path("recentOrders").size());
        json(get("/api/dashboard", null), 401);
    }
}
