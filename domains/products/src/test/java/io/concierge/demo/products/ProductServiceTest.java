package io.concierge.demo.products;

import com.fasterxml.jackson.databind.JsonNode;
import io.concierge.demo.support.ServiceClient;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.concierge.demo.support.ServiceClient.json;
import static io.concierge.demo.support.ServiceClient.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProductServiceTest {
    private static WebServer server;
    private static ServiceClient client;

    @BeforeAll
    static void start() {
        server = ProductService.start(0);
        client = new ServiceClient(server);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop();
    }

    @Test
    void health() {
        assertEquals("products", json(client.get("/health"), 200).path("service").asText());
    }

    @Test
    void listsTheCatalog() {
        JsonNode products = json(client.get("/api/products"), 200);
        assertTrue(products.size() >= 5, "at least five products");
        for (int i = 0; i < 5; i++) {
            assertEquals("p" + (i + 1), products.path(i).path("id").asText());
        }
    }

    @Test
    void productById() {
        JsonNode product = json(client.get("/api/products/p1"), 200);
        assertEquals("p1", product.path("id").asText());
        assertEquals(12.5, product.path("price").asDouble());
        assertTrue(product.path("price").isNumber(), "price is a JSON number");
        assertEquals("EUR", product.path("currency").asText());
        assertEquals("coffee", product.path("category").asText());
        assertTrue(product.path("name").isTextual());
    }

    @Test
    void reviewsOfAProduct() {
        JsonNode reviews = json(client.get("/api/products/p1/reviews"), 200);
        assertEquals(2, reviews.size());
        assertEquals("r1", reviews.path(0).path("id").asText());
        assertEquals("p1", reviews.path(0).path("productId").asText());
        assertEquals(5, reviews.path(0).path("rating").asInt());
        assertEquals(0, json(client.get("/api/products/p5/reviews"), 200).size());
    }

    @Test
    void inventoryOfAProduct() {
        JsonNode inventory = json(client.get("/api/products/p1/inventory"), 200);
        assertEquals("p1", inventory.path("productId").asText());
        assertTrue(inventory.path("inStock").asBoolean());
        assertEquals(42, inventory.path("quantity").asInt());
        assertEquals("Hamburg", inventory.path("warehouse").asText());
        assertEquals(false, json(client.get("/api/products/p4/inventory"), 200).path("inStock").asBoolean());
    }

    @Test
    void unknownProductIs404Everywhere() {
        problem(client.get("/api/products/p99"), 404);
        problem(client.get("/api/products/p99/reviews"), 404);
        problem(client.get("/api/products/p99/inventory"), 404);
        problem(client.get("/api/products/p1/unknown"), 404);
    }

    @Test
    void catalogIsReadOnly() {
        problem(client.post("/api/products", "{\"id\":\"p6\"}"), 404);
    }

    @Test
    void theCatalogTellsSharedCachesHowLongToKeepIt() {
        String expected = "public, max-age=30, stale-if-error=300";
        assertEquals(expected, client.get("/api/products").headers().firstValue("Cache-Control").orElse(null));
        assertEquals(expected, client.get("/api/products/p1").headers().firstValue("Cache-Control").orElse(null));
        assertTrue(client.get("/api/products/p99").headers().firstValue("Cache-Control").isEmpty(),
                "a 404 carries no freshness");
    }
}
