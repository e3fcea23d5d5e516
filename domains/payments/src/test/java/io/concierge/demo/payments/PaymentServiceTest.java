package io.concierge.demo.payments;

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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PaymentServiceTest {
    private static WebServer server;
    private static ServiceClient client;

    @BeforeAll
    static void start() {
        server = PaymentService.start(0);
        client = new ServiceClient(server);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop();
    }

    private static String payment(String userId, String amount, String method) {
        return "{\"orderId\":\"o5\",\"userId\":\"" + userId + "\",\"amount\":" + amount
                + ",\"currency\":\"EUR\",\"method\":\"" + method + "\"}";
    }

    @Test
    void health() {
        assertEquals("payments", json(client.get("/health"), 200).path("service").asText());
    }

    @Test
    void seededPaymentById() {
        JsonNode payment = json(client.get("/api/payments/pay1"), 200);
        assertEquals("o1", payment.path("orderId").asText());
        assertEquals("1", payment.path("userId").asText());
        assertEquals(25.0, payment.path("amount").asDouble());
        assertEquals("EUR", payment.path("currency").asText());
        assertEquals("captured", payment.path("status").asText());
        assertEquals("2026-10-01T10:01:00Z", payment.path("createdAt").asText());
    }

    @Test
    void unknownPaymentIs404() {
        problem(client.get("/api/payments/pay999"), 404);
    }

    @Test
    void paymentsOfAUser() {
        JsonNode alices = json(client.get("/api/payments?userId=1"), 200);
        assertEquals(2, alices.size());
        assertEquals("pay2", alices.path(0).path("id").asText(), "newest first");
        assertEquals("2", json(client.get("/api/payments?userId=2"), 200).path(0).path("userId").asText());
        assertEquals(0, json(client.get("/api/payments?userId=3"), 200).size());
        assertTrue(json(client.get("/api/payments"), 200).size() >= 3);
        problem(client.get("/api/payments?userId="), 400);
        problem(client.get("/api/payments?userId=1&userId=2"), 400);
    }

    @Test
    void capturesAPayment() {
        HttpResponse<String> response = client.post("/api/payments", payment("42", "28.5", "card"));
        JsonNode created = json(response, 201);
        String id = created.path("id").asText();
        assertEquals("/api/payments/" + id, response.headers().firstValue("Location").orElse(""));
        assertEquals("o5", created.path("orderId").asText());
        assertEquals("42", created.path("userId").asText());
        assertTrue(response.body().contains("\"amount\":28.50,"), "money to the cent: " + response.body());
        assertEquals("EUR", created.path("currency").asText());
        assertEquals("captured", created.path("status").asText());
        assertTrue(created.path("createdAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
        assertEquals(created, json(client.get("/api/payments/" + id), 200));
    }

    @Test
    void invalidPaymentsAre400() {
        List<String> bodies = List.of(
                "{\"orderId\":\"o5\",",
                "[]",
                "{\"userId\":\"1\",\"amount\":10,\"currency\":\"EUR\",\"method\":\"card\"}",
                payment("1", "0", "card"),
                payment("1", "-5", "card"),
                payment("1", "10.001", "card"),
                payment("1", "\"10\"", "card"),
                payment("1", "1e12", "card"),
                payment("1", "10", "4111111111111111"),
                payment("", "10", "card"),
                "{\"orderId\":\"o5\",\"userId\":\"1\",\"amount\":10,\"currency\":\"eur\",\"method\":\"card\"}");
        for (String body : bodies) {
            HttpResponse<String> response = client.post("/api/payments", body);
            problem(response, 400);
            assertFalse(response.body().contains("4111"), "rejected input is not echoed");
        }
    }

    @Test
    void concurrentPaymentsGetDistinctIds() throws Exception {
        int count = 40;
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<JsonNode>> results = IntStream.range(0, count)
                    .mapToObj(i -> pool.submit(() -> json(client.post("/api/payments", payment("77", "1", "card")), 201)))
                    .toList();
            Set<String> ids = new HashSet<>();
            for (Future<JsonNode> result : results) {
                ids.add(result.get().path("id").asText());
            }
            assertEquals(count, ids.size());
        }
        assertEquals(count, json(client.get("/api/payments?userId=77"), 200).size());
    }
}
