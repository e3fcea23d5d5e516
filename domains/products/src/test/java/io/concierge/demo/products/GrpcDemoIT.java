package io.concierge.demo.products;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.edge.EdgeConfig;
import io.concierge.edge.EdgeServer;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Poll;
import io.grpc.Server;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's REST to gRPC contract (README status rows) end to end: the real product service with
 * its HTTP and gRPC faces, the products gateway from its real gateway.yaml, and an edge in front,
 * all on ephemeral ports. Every request goes through the edge, as {@code ./concierge demo} serves it.
 */
class GrpcDemoIT {
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
        WebServer http = ProductService.start(0);
        RESOURCES.add(http::stop);
        Server grpc = ProductGrpcService.start(0);
        RESOURCES.add(0, () -> ProductGrpcService.stop(grpc));
        Map<String, String> env = Map.of("PRODUCT_SERVICE_PORT", String.valueOf(http.port()),
                "PRODUCT_GRPC_PORT", String.valueOf(grpc.getPort()));
        RESOURCES.add(0, GatewayServer.start(GatewayConfig.load(Path.of("gateway.yaml"), env::get), discovery));
        edge = EdgeServer.start(EdgeConfig.parse("edge.yaml", EDGE, Map.<String, String>of()::get), discovery);
        RESOURCES.add(0, edge::close);
        Poll.until("the edge routes /api/catalog to the products gateway", Duration.ofSeconds(10),
                () -> get("/api/catalog/p1").statusCode() == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable r : RESOURCES) {
            r.close();
        }
    }

    private static HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError(r.body(), e);
        }
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void searchAnswersTheContractShapeWithDefaultPageAndLimit() {
        HttpResponse<String> r = get("/api/products/search?minPrice=10&maxPrice=50");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = json(r);
        assertEquals(Set.of("products", "totalCount", "page", "limit"), names(body));
        assertEquals(2, body.get("totalCount").asInt());
        assertEquals(1, body.get("page").asInt());
        assertEquals(20, body.get("limit").asInt());
        JsonNode first = body.get("products").get(0);
        assertEquals(Set.of("id", "name", "price", "currency", "category", "inStock"), names(first));
        assertEquals("p1", first.get("id").asText());
        assertEquals(12.5, first.get("price").asDouble());
        assertEquals("EUR", first.get("currency").asText());
        assertTrue(first.get("inStock").asBoolean());
        assertEquals("p2", body.get("products").get(1).get("id").asText());
    }

    @Test
    void searchFiltersByQueryAndCategoryAndPages() {
        JsonNode grinder = json(get("/api/products/search?category=equipment&page=2&limit=1"));
        assertEquals(2, grinder.get("totalCount").asInt());
        assertEquals(2, grinder.get("page").asInt());
        assertEquals(1, grinder.get("limit").asInt());
        assertEquals("p4", grinder.get("products").get(0).get("id").asText());
        assertFalse(grinder.get("products").get(0).get("inStock").asBoolean(), "false is written, not left out");

        JsonNode mug = json(get("/api/products/search?query=MUG"));
        assertEquals(1, mug.get("totalCount").asInt());
        assertEquals("Ceramic mug", mug.get("products").get(0).get("name").asText());

        JsonNode none = json(get("/api/products/search?query=nothing-like-this"));
        assertEquals(0, none.get("totalCount").asInt());
        assertEquals(0, none.get("products").size());
    }

    @Test
    void aNonNumericPriceIsA400Problem() {
        HttpResponse<String> r = get("/api/products/search?minPrice=abc");

        assertEquals(400, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("query parameter 'minPrice' must be a number (was 'abc')", json(r).get("detail").asText());
    }

    @Test
    void aLimitTheServiceRefusesIsA400WithItsMessage() {
        HttpResponse<String> r = get("/api/products/search?limit=1000");

        assertEquals(400, r.statusCode(), r.body());
        assertEquals("page must be >= 1 and limit 1..100", json(r).get("detail").asText());
    }

    @Test
    void catalogByIdIsGetProduct() {
        HttpResponse<String> r = get("/api/catalog/p3");

        assertEquals(200, r.statusCode(), r.body());
        JsonNode p = json(r);
        assertEquals(Set.of("id", "name", "price", "currency", "category", "inStock"), names(p));
        assertEquals("Ceramic mug", p.get("name").asText());
        assertEquals("tableware", p.get("category").asText());
    }

    @Test
    void anUnknownIdIsTheServicesNotFoundAsA404Problem() {
        HttpResponse<String> r = get("/api/catalog/p999");

        assertEquals(404, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("No product with this id", json(r).get("detail").asText());
    }

    @Test
    void theRestApiOfTheSameGatewayStillProxies() {
        HttpResponse<String> r = get("/api/products/p1");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals("p1", json(r).get("id").asText());
    }
}
