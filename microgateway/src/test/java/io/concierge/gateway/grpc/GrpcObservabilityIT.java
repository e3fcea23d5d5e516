package io.concierge.gateway.grpc;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gRPC service shows in the admin {@code /health} detail and in the upstream and breaker metrics like
 * an HTTP service: its instances with reachability, calls in flight and breaker state, its retries;
 * a service none of whose instances is reachable makes the gateway DOWN.
 */
class GrpcObservabilityIT {

    private static String yaml(int downPort, int upPort) {
        return """
                domain: test
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                services:
                  grpc-test:
                    grpc: {descriptors: %s}
                    resilience:
                      circuit-breaker: {window: 2, minimum-calls: 1, failure-rate: 50, open-for: 60s}
                    instances:
                      - url: http://127.0.0.1:%d
                      - url: http://127.0.0.1:%d
                routes:
                  - id: echo
                    match: {path: /api/echo}
                    service: grpc-test
                    grpc: {method: concierge.test.TestService/Echo, retryable: true}
                """.formatted(TestGrpcService.DESCRIPTORS, downPort, upPort);
    }

    private static PrometheusScrape scrape(int adminPort) {
        try {
            return new PrometheusScrape(WireClient.exchange(adminPort, "GET", "/metrics").bodyText());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void healthAndMetricsShowTheGrpcServiceLikeAnHttpOne() throws Exception {
        int down = WireUpstream.closedPort();
        try (TestGrpcService up = new TestGrpcService();
             GatewayServer g = TestGateways.start(yaml(down, up.port()))) {
            // Round-robin: the first call tries the dead instance, opens its breaker and is retried on the live one.
            assertEquals(200, WireClient.exchange(g.port(), "GET", "/api/echo").status());
            assertEquals(200, WireClient.exchange(g.port(), "GET", "/api/echo").status());

            WireResponse health = WireClient.exchange(g.adminPort(), "GET", "/health");
            assertEquals(200, health.status(), health.toString());
            JsonNode svc = health.json().get("services").get("grpc-test");
            assertEquals("UP", svc.get("status").asText(), svc.toString());
            assertEquals("grpc", svc.get("protocol").asText());
            assertEquals(1, svc.get("retries").asInt());
            JsonNode dead = svc.get("instances").get(0);
            assertEquals("127.0.0.1:" + down, dead.get("address").asText());
            assertEquals("DOWN", dead.get("status").asText());
            assertEquals("OPEN", dead.get("breaker").asText());
            JsonNode live = svc.get("instances").get(1);
            assertEquals("UP", live.get("status").asText());
            assertEquals("CLOSED", live.get("breaker").asText());
            assertTrue(live.get("inFlight").isInt(), live.toString()); // 0 or, for a moment after an answer, 1

            // Parsed strictly: a family declared twice (HTTP and gRPC apart) would fail the parse. A call is
            // counted out just after its client has the answer, so the scrape waits for that.
            PrometheusScrape[] scraped = new PrometheusScrape[1];
            Poll.until("the last call counted out", Duration.ofSeconds(10), () -> {
                scraped[0] = scrape(g.adminPort());
                return scraped[0].value("concierge_upstream_in_flight", "service", "grpc-test",
                        "instance", "127.0.0.1:" + up.port()) == 0;
            });
            PrometheusScrape m = scraped[0];
            assertEquals(2, m.value("concierge_upstream_instances", "service", "grpc-test"));
            assertEquals(1, m.value("concierge_breaker_state", "service", "grpc-test",
                    "instance", "127.0.0.1:" + down, "state", "open"));
            assertEquals(1, m.value("concierge_breaker_opens_total", "service", "grpc-test",
                    "instance", "127.0.0.1:" + down));
            assertEquals(1, m.value("concierge_retries_total", "service", "grpc-test"));
        }
    }

    @Test
    void aGrpcServiceWithNoReachableInstanceMakesTheGatewayDown() throws Exception {
        int down = WireUpstream.closedPort();
        try (GatewayServer g = TestGateways.start(yaml(down, down))) {
            WireResponse health = WireClient.exchange(g.adminPort(), "GET", "/health");
            assertEquals(503, health.status(), health.toString());
            assertEquals("DOWN", health.json().get("services").get("grpc-test").get("status").asText());
            assertEquals(503, WireClient.exchange(g.port(), "GET", "/health").status(), "the public status too");
        }
    }
}
