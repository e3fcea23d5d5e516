package io.concierge.demo.payments;

import static io.concierge.demo.support.ServiceClient.json;
import static io.concierge.demo.support.ServiceClient.problem;

import java.net.http.HttpRequest;

import io.concierge.demo.support.ServiceClient;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** "Own payments only, admin all", from the gateway's identity headers. */
class PaymentOwnershipTest {
    private static final String PAY = "{\"orderId\":\"o1\",\"userId\":\"%s\",\"amount\":1.50,\"currency\":\"EUR\",\"method\":\"card\"}";
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

    @Test
    void aCustomerReadsOnlyTheirOwnPayments() {
        json(client.send(client.requestAs("/api/payments/pay1", "1", "customer")), 200);
        problem(client.send(client.requestAs("/api/payments/pay1", "2", "customer")), 403);
        json(client.send(client.requestAs("/api/payments/pay1", "3", "admin")), 200);
    }

    @Test
    void aCustomerPaysOnlyAsThemselves() {
        problem(client.send(client.requestAs("/api/payments", "2", "customer").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(PAY.formatted("1")))), 403);
        json(client.send(client.requestAs("/api/payments", "1", "customer").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(PAY.formatted("1")))), 201);
    }
}
