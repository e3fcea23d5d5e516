package io.concierge.demo.orders;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo contract's additions of issue 16, end to end through the edge, with the real demo
 * services and every gateway started from its real {@code gateway.yaml}: the products catalog's API
 * versions, and the mobile BFF domain (edge → mobile gateway → products, users and orders gateways). Lives in the orders module because it
 * is the one that depends on every demo service already (as {@link CompositionDemoIT}).
 */
class DemoContractAdditionsIT {
    private static final String SECRET = "contract-additions-test-secret-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static DemoMesh mesh;

    @BeforeAll
    static void start() {
        mesh = DemoMesh.start(SECRET, List.of("users", "products", "orders", "mobile"));
        Poll.until("the edge routes to every domain", Duration.ofSeconds(10),
                () -> get("/api/products/p1").statusCode() == 200
                        && get("/api/v2/products/p1").statusCode() == 200
                        && get("/api/orders").statusCode() == 401
                        && get("/api/mobile/products/p1").statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    static HttpResponse<String> get(String path, String... headers) {
        return mesh.get(path, headers);
    }

    static JsonNode json(HttpResponse<String> r, int status) {
        return DemoMesh.json(r, status);
    }

    static String login(String user) throws Exception {
        return mesh.login(user);
    }

    // ---- products: API versions ----------------------------------------------------------------

    @Test
    void versionOneIsTodaysShapeByDefaultAndAtV1AndIsDeprecated() {
        for (String path : List.of("/api/products/p1", "/api/v1/products/p1")) {
            HttpResponse<String> r = get(path);
            JsonNode p = json(r, 200);
            assertEquals("Espresso beans, 1 kg", p.path("name").asText());
            assertEquals(12.5, p.path("price").asDouble());
            assertEquals("EUR", p.path("currency").asText());
            assertTrue(r.headers().firstValue("Deprecation").orElse("").matches("@\\d+"), r.headers().toString());
            assertTrue(r.headers().firstValue("Sunset").orElse("").endsWith(" GMT"), r.headers().toString());
            assertEquals("</api/v2/products/p1>; rel=\"successor-version\"", r.headers().firstValue("Link").orElse(null));
        }
    }

    @Test
    void versionTwoBySegmentHeaderMediaTypeOrQueryForSingleProductsAndLists() {
        List<HttpResponse<String>> singles = List.of(get("/api/v2/products/p1"),
                get("/api/products/p1", "API-Version", "2"),
                get("/api/products/p1", "Accept", "application/vnd.concierge.v2+json"),
                get("/api/products/p1?version=2"));
        for (HttpResponse<String> r : singles) {
            JsonNode p = json(r, 200);
            assertEquals("Espresso beans, 1 kg", p.path("title").asText(), r.body());
            assertFalse(p.has("name"));
            assertFalse(p.has("currency"));
            assertEquals(12.5, p.path("price").path("amount").asDouble());
            assertEquals("EUR", p.path("price").path("currency").asText());
            assertEquals("coffee", p.path("category").asText(), "other fields unchanged");
            assertTrue(r.headers().firstValue("Deprecation").isEmpty());
        }
        JsonNode list = json(get("/api/v2/products"), 200);
        assertEquals(5, list.size());
        for (JsonNode p : list) {
            assertTrue(p.has("title") && !p.has("name") && p.path("price").has("amount")
                    && p.path("price").path("currency").asText().equals("EUR"), p.toString());
        }
        assertEquals("API-Version, Accept",
                get("/api/products", "API-Version", "2").headers().firstValue("Vary").orElse(null));
    }

    @Test
    void anUnsupportedVersionIsA400NamingOneAndTwo() {
        HttpResponse<String> r = get("/api/products?version=9");
        JsonNode problem = json(r, 400);
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(null));
        assertTrue(problem.path("detail").asText().contains("supported versions: 1, 2"), r.body());
    }

    // ---- the mobile BFF ----------------------------------------------------------------------------

    private static JsonNode data(JsonNode envelope, int status, String path) {
        assertEquals(status, envelope.path("status").asInt(), envelope.toString());
        assertEquals(path, envelope.path("path").asText());
        assertTrue(envelope.path("timestamp").asText().endsWith("Z"), envelope.toString());
        return envelope.path("data");
    }

    @Test
    void mobileHomeIsPublicWithFiveFeaturedProducts() {
        HttpResponse<String> r = get("/api/mobile/home");
        JsonNode data = data(json(r, 200), 200, "/api/mobile/home");
        JsonNode featured = data.path("featured");
        assertEquals(5, featured.size(), data.toString());
        for (JsonNode p : featured) {
            assertEquals(List.of("id", "name", "price"), fieldNames(p));
        }
        assertEquals("p1", featured.get(0).path("id").asText());
        assertEquals(12.5, featured.get(0).path("price").asDouble());
        assertFalse(data.has("me"), "no 'me' without a token");
        assertFalse(data.has("_partial"), "an anonymous home is complete: " + data);
    }

    @Test
    void mobileHomeWithATokenAddsTheCallersNameAndOrderCount() throws Exception {
        String token = login("alice");
        HttpResponse<String> r = get("/api/mobile/home", "Authorization", "Bearer " + token);
        JsonNode data = data(json(r, 200), 200, "/api/mobile/home");
        assertEquals(5, data.path("featured").size());
        JsonNode me = data.path("me");
        assertEquals("Alice Anderson", me.path("name").asText(), data.toString());
        assertTrue(me.path("orders").isInt(), data.toString());
        HttpResponse<String> mine = get("/api/orders?userId=" + subject(token), "Authorization", "Bearer " + token);
        assertEquals(json(mine, 200).size(), me.path("orders").asInt());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));

        assertEquals(401, get("/api/mobile/home", "Authorization", "Bearer not-a-token").statusCode());
    }

    @Test
    void mobileProductHasStockAndAReviewSummary() {
        JsonNode p1 = data(json(get("/api/mobile/products/p1"), 200), 200, "/api/mobile/products/p1");
        assertEquals(List.of("id", "name", "price", "currency", "inStock", "rating", "reviewCount"), fieldNames(p1));
        assertEquals("Espresso beans, 1 kg", p1.path("name").asText());
        assertTrue(p1.path("inStock").asBoolean());
        assertEquals(4.5, p1.path("rating").asDouble());
        assertEquals(2, p1.path("reviewCount").asInt());

        JsonNode p4 = data(json(get("/api/mobile/products/p4"), 200), 200, "/api/mobile/products/p4");
        assertFalse(p4.path("inStock").asBoolean());

        JsonNode p5 = data(json(get("/api/mobile/products/p5"), 200), 200, "/api/mobile/products/p5");
        assertTrue(p5.get("rating").isNull(), "no reviews: rating null");
        assertEquals(0, p5.path("reviewCount").asInt());
    }

    @Test
    void anUnknownMobileProductIsA404Problem() {
        HttpResponse<String> r = get("/api/mobile/products/nope");
        JsonNode problem = json(r, 404);
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(null));
        assertEquals("product", problem.path("part").asText(), r.body());
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String subject(String token) throws Exception {
        String payload = token.split("\\.")[1];
        return JSON.readTree(java.util.Base64.getUrlDecoder().decode(payload)).path("sub").asText();
    }

    @Test
    void theCompositionStillSeesVersionOne() {
        JsonNode doc = json(get("/api/product-details/p1", "API-Version", "2"), 200);
        assertEquals("Espresso beans, 1 kg", doc.path("name").asText());
        assertNull(doc.get("title"));
    }
}
