package io.concierge.demo.orders;

import static io.concierge.demo.support.ServiceClient.json;
import static io.concierge.demo.support.ServiceClient.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpRequest;

import io.concierge.demo.support.ServiceClient;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** "A customer sees and creates only their own orders, admin sees all", from the gateway's identity headers. */
class OrderOwnershipTest {
    private static final String NEW_ORDER = "{\"userId\":\"%s\",\"items\":[{\"productId\":\"p1\",\"quantity\":1}]}";
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
    void aCustomerReadsOnlyTheirOwnOrders() {
        assertEquals("1", json(client.send(client.requestAs("/api/orders/o1", "1", "customer")), 200).path("userId").asText());
        problem(client.send(client.requestAs("/api/orders/o1", "2", "customer")), 403);
        json(client.send(client.requestAs("/api/orders/o1", "3", "admin")), 200);
        problem(client.send(client.requestAs("/api/orders?userId=1", "2", "customer")), 403);
        problem(client.send(client.requestAs("/api/orders", "2", "customer")), 403);
        json(client.send(client.requestAs("/api/orders", "3", "admin")), 200);
    }

    @Test
    void aCustomerCreatesOrdersOnlyForThemselves() {
        problem(client.send(client.requestAs("/api/orders", "2", "customer")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(NEW_ORDER.formatted("1")))), 403);
        json(client.send(client.requestAs("/api/orders", "2", "customer")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(NEW_ORDER.formatted("2")))), 201);
        json(client.send(client.requestAs("/api/orders", "3", "admin")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(NEW_ORDER.formatted("1")))), 201);
    }
}
