package io.concierge.demo.orders;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.concierge.gateway.testing.Poll;
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
    private static DemoMesh mesh;

    @BeforeAll
    static void start() {
        mesh = DemoMesh.start(SECRET, List.of("users", "users", "products", "orders"));
        Poll.until("the edge routes to every domain", Duration.ofSeconds(10),
                () -> get("/api/products/p1", null).statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    private static HttpResponse<String> get(String path, String token) {
        return token == null ? mesh.get(path) : mesh.get(path, "Authorization", "Bearer " + token);
    }

    static JsonNode json(HttpResponse<String> r, int status) {
        return DemoMesh.json(r, status);
    }

    static String login(String user) throws Exception {
        return mesh.login(user);
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
