package io.concierge.demo.orders;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

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

class OrderServiceTest {
    private static WebServer server;
    private static ServiceClient client;

    @BeforeAll
    static void start() {
        server = OrderService.start(0);
        client = new ServiceClient(server);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop();
    }

    @Test
    void health() {
        assertEquals("orders", json(client.get("/health"), 200).path("service").asText());
    }

    @Test
    void orderById() {
        JsonNode order = json(client.get("/api/orders/o1"), 200);
        assertEquals("o1", order.path("id").asText());
        assertEquals("1", order.path("userId").asText());
        assertEquals("p1", order.path("items").path(0).path("productId").asText());
        assertEquals(2, order.path("items").path(0).path("quantity").asInt());
        assertEquals(25.0, order.path("total").asDouble());
        assertEquals("shipped", order.path("status").asText());
        assertEquals("2026-10-01T10:00:00Z", order.path("createdAt").asText());
    }

    @Test
    void unknownOrderIs404() {
        problem(client.get("/api/orders/o999"), 404);
    }

    @Test
    void ordersOfAUserNewestFirst() {
        JsonNode alices = json(client.get("/api/orders?userId=1"), 200);
        assertTrue(alices.size() >= 6, "alice has at least six orders");
        Set<String> dates = new HashSet<>();
        String previous = "9999";
        for (JsonNode order : alices) {
            assertEquals("1", order.path("userId").asText());
            String createdAt = order.path("createdAt").asText();
            assertTrue(createdAt.compareTo(previous) < 0, "strictly newest first: " + createdAt);
            dates.add(createdAt);
            previous = createdAt;
        }
        assertEquals(alices.size(), dates.size());

        assertEquals(2, json(client.get("/api/orders?userId=2"), 200).size());
        assertEquals(0, json(client.get("/api/orders?userId=3"), 200).size());
        assertTrue(json(client.get("/api/orders"), 200).size() >= 9, "all orders without a filter");
    }

    @Test
    void aLimitKeepsTheNewestOrders() {
        JsonNode all = json(client.get("/api/orders?userId=1"), 200);
        JsonNode five = json(client.get("/api/orders?userId=1&limit=5"), 200);
        assertEquals(5, five.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(all.get(i).path("id").asText(), five.get(i).path("id").asText());
        }
        assertEquals(2, json(client.get("/api/orders?userId=2&limit=5"), 200).size());
        problem(client.get("/api/orders?userId=1&limit=0"), 400);
        problem(client.get("/api/orders?userId=1&limit=101"), 400);
        problem(client.get("/api/orders?userId=1&limit=five"), 400);
        problem(client.get("/api/orders?userId=1&limit=1&limit=2"), 400);
    }

    @Test
    void aUserFilterThatCannotBeReadUnambiguouslyIs400() {
        problem(client.get("/api/orders?userId="), 400);
        problem(client.get("/api/orders?userId=1&userId=2"), 400);
        String raw = client.rawGet("/api/orders?userId=%zz");
        assertTrue(raw.startsWith("HTTP/1.1 400 "), raw);
        assertTrue(raw.contains("application/problem+json"), raw);
        problem(client.get("/api/orders?userId=a%20b"), 400);
    }

    @Test
    void createsAnOrder() {
        HttpResponse<String> response = client.post("/api/orders",
                "{\"userId\":\"42\",\"items\":[{\"productId\":\"p2\",\"quantity\":2},{\"productId\":\"p5\",\"quantity\":1}]}");
        JsonNode created = json(response, 201);
        String id = created.path("id").asText();
        assertEquals("/api/orders/" + id, response.headers().firstValue("Location").orElse(""));
        assertEquals("42", created.path("userId").asText());
        assertEquals("created", created.path("status").asText());
        assertEquals(84.05, created.path("total").asDouble());
        assertEquals(2, created.path("items").size());
        assertTrue(created.path("createdAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));

        String location = URI.create(response.headers().firstValue("Location").orElseThrow()).getPath();
        assertEquals(created, json(client.get(location), 200));
        assertEquals(id, json(client.get("/api/orders?userId=42"), 200).path(0).path("id").asText());
    }

    @Test
    void invalidOrdersAre400() {
        List<String> bodies = List.of(
                "{\"userId\":\"1\",\"items\":[",
                "not json",
                "{\"items\":[{\"productId\":\"p1\",\"quantity\":1}]}",
                "{\"userId\":\"1\"}",
                "{\"userId\":\"1\",\"items\":[]}",
                "{\"userId\":\"1\",\"items\":{\"productId\":\"p1\"}}",
                "{\"userId\":\"1\",\"items\":[{\"productId\":\"p99\",\"quantity\":1}]}",
                "{\"userId\":\"1\",\"items\":[{\"productId\":\"p1\",\"quantity\":0}]}",
                "{\"userId\":\"1\",\"items\":[{\"productId\":\"p1\",\"quantity\":\"2\"}]}",
                "{\"userId\":\"1\",\"items\":[{\"productId\":\"p1\",\"quantity\":1.5}]}",
                "{\"userId\":\"1\",\"items\":[{\"productId\":\"p1\"}]}",
                "{\"userId\":\"1\",\"items\":[{\"productId\":\"p1\",\"quantity\":101}]}");
        for (String body : bodies) {
            problem(client.post("/api/orders", body), 400);
        }
        JsonNode problem = problem(client.post("/api/orders",
                "{\"userId\":\"1\",\"items\":[{\"productId\":\"p1\",\"quantity\":1},{\"productId\":\"p1\",\"quantity\":-1}]}"), 400);
        assertEquals("'items[1].quantity' must be from 1 to 100", problem.path("detail").asText());
    }

    @Test
    void concurrentCreatesGetDistinctIds() throws Exception {
        int count = 40;
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<JsonNode>> results = IntStream.range(0, count)
                    .mapToObj(i -> pool.submit(() -> json(client.post("/api/orders",
                            "{\"userId\":\"77\",\"items\":[{\"productId\":\"p3\",\"quantity\":1}]}"), 201)))
                    .toList();
            Set<String> ids = new HashSet<>();
            for (Future<JsonNode> result : results) {
                ids.add(result.get().path("id").asText());
            }
            assertEquals(count, ids.size());
        }
        assertEquals(count, json(client.get("/api/orders?userId=77"), 200).size());
    }
}
