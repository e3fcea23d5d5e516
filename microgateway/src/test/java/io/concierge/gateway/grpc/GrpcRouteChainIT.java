package io.concierge.gateway.grpc;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.TestTracing;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gRPC route runs the same chain as a proxied one (rate limits here, auth likewise) and gets the
 * upstream side's habits: spread over the instances, a retryable method retried on another instance
 * when one is unavailable, a CLIENT span per call whose context reaches the service as
 * {@code traceparent}.
 */
class GrpcRouteChainIT {

    private static String yaml(String instances, String routeExtra, String grpcExtra) {
        return """
                domain: test
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                services:
                  grpc-test:
                    grpc: {descriptors: %s}
                    instances:
                %s
                routes:
                  - id: echo
                    match: {path: /api/echo}
                    service: grpc-test
                %s
                    grpc:
                      method: concierge.test.TestService/Echo
                      ignore-unknown-query: true
                %s
                """.formatted(TestGrpcService.DESCRIPTORS, instances, routeExtra, grpcExtra);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRetryableMethodIsRetriedOnAnotherInstanceWhenOneIsUnavailable() throws Exception {
        int down = closedPort();
        try (TestGrpcService up = new TestGrpcService();
             GatewayServer g = TestGateways.start(yaml(
                     "      - url: http://127.0.0.1:" + down + "\n      - url: http://127.0.0.1:" + up.port(),
                     "", "      retryable: true"))) {
            for (int i = 0; i < 4; i++) {
                WireResponse r = WireClient.exchange(g.port(), "GET", "/api/echo?text=" + i);
                assertEquals(200, r.status(), "call " + i + ": " + r);
            }
        }
    }

    @Test
    void aMethodNotMarkedRetryableIsNotRetried() throws Exception {
        int down = closedPort();
        try (TestGrpcService up = new TestGrpcService();
             GatewayServer g = TestGateways.start(yaml(
                     "      - url: http://127.0.0.1:" + down + "\n      - url: http://127.0.0.1:" + up.port(), "", ""))) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                statuses.add(WireClient.exchange(g.port(), "GET", "/api/echo").status());
            }
            assertEquals(List.of(503, 200, 503, 200), statuses, "round-robin over both, the dead one answers 503");
        }
    }

    @Test
    void anInstanceThatKeepsFailingIsCutOffByItsBreaker() throws Exception {
        try (TestGrpcService up = new TestGrpcService()) {
            String yaml = yaml("      - url: http://127.0.0.1:" + up.port(), "", "").replace(
                    "    instances:\n", "    resilience:\n      circuit-breaker: {window: 4, minimum-calls: 2, "
                            + "failure-rate: 60, open-for: 60s}\n    instances:\n").replace(
                    "method: concierge.test.TestService/Echo", "method: concierge.test.TestService/Fail");
            try (GatewayServer g = TestGateways.start(yaml)) {
                List<Integer> statuses = new ArrayList<>();
                statuses.add(WireClient.exchange(g.port(), "GET", "/api/echo?code=NOT_FOUND").status());
                for (int i = 0; i < 2; i++) {
                    statuses.add(WireClient.exchange(g.port(), "GET", "/api/echo?code=INTERNAL").status());
                }
                int reached = up.calls.get();
                WireResponse cut = WireClient.exchange(g.port(), "GET", "/api/echo?code=NOT_FOUND");
                statuses.add(cut.status());

                assertEquals(List.of(404, 502, 502, 503), statuses, "NOT_FOUND is an answer, INTERNAL a failure");
                assertEquals("no instance of the gRPC service is available", cut.json().get("detail").asText());
                assertEquals(reached, up.calls.get(), "the open breaker sent nothing to the instance");
            }
        }
    }

    @Test
    void rateLimitsApplyAsOnAnyRoute() throws Exception {
        try (TestGrpcService up = new TestGrpcService();
             GatewayServer g = TestGateways.start(yaml("      - url: http://127.0.0.1:" + up.port(),
                     "    rate-limits:\n      - {name: per-client, key: header:X-Client, limit: 2, window: 60s, mode: local}",
                     ""))) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                statuses.add(WireClient.exchange(g.port(), "GET", "/api/echo", "X-Client: c1").status());
            }
            assertEquals(List.of(200, 200, 429), statuses);
        }
    }

    @Test
    void eachCallIsAClientSpanWhoseContextReachesTheService() throws Exception {
        try (TestGrpcService up = new TestGrpcService();
             TestTracing tracing = new TestTracing("grpc-test")) {
            GatewayConfig config = GatewayConfig.parse("test.yaml", yaml("      - url: http://127.0.0.1:" + up.port(),
                    "", ""), Map.<String, String>of()::get);
            try (GatewayServer g = GatewayServer.start(config, new StaticDiscovery(List.of()), null,
                    tracing.tracing())) {
                WireResponse r = WireClient.exchange(g.port(), "GET", "/api/echo");
                assertEquals(200, r.status(), r.toString());
                String traceparent = r.json().get("seen").get("traceparent").asText();
                SpanData client = tracing.await(SpanKind.CLIENT, 1).get(0);
                assertTrue(traceparent.contains(client.getTraceId() + "-" + client.getSpanId()),
                        traceparent + " vs " + client);
                assertEquals("POST", client.getName());
            }
        }
    }
}
