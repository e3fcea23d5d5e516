package io.concierge.gateway.grpc;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A gRPC service's {@code load-balancing} picks its instance as for an HTTP service (the same
 * balancers): weighted in proportion to each instance's {@code weight}, least-in-flight away from
 * the instance that is busy with a call.
 */
class GrpcBalancingIT {

    private static String yaml(String balancing, int heavyPort, int heavyWeight, int lightPort) {
        return """
                domain: test
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                services:
                  grpc-test:
                    load-balancing: %s
                    grpc: {descriptors: %s}
                    instances:
                      - {url: "http://127.0.0.1:%d", weight: %d}
                      - {url: "http://127.0.0.1:%d", weight: 1}
                routes:
                  - id: echo
                    match: {path: /api/echo}
                    service: grpc-test
                    grpc: {method: concierge.test.TestService/Echo}
                  - id: slow
                    match: {path: /api/slow}
                    service: grpc-test
                    resilience: {deadline: 30s}
                    grpc: {method: concierge.test.TestService/Slow}
                """.formatted(balancing, TestGrpcService.DESCRIPTORS, heavyPort, heavyWeight, lightPort);
    }

    private static double inFlight(GatewayServer g, String instance) {
        try {
            return new PrometheusScrape(WireClient.exchange(g.adminPort(), "GET", "/metrics").bodyText())
                    .value("concierge_upstream_in_flight", "service", "grpc-test", "instance", instance);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void weightedSpreadsCallsInProportionToTheWeights() throws Exception {
        try (TestGrpcService heavy = new TestGrpcService();
             TestGrpcService light = new TestGrpcService();
             GatewayServer g = TestGateways.start(yaml("weighted", heavy.port(), 3, light.port()))) {
            for (int i = 0; i < 8; i++) {
                WireResponse r = WireClient.exchange(g.port(), "GET", "/api/echo");
                assertEquals(200, r.status(), r.toString());
            }
            assertEquals(6, heavy.calls.get(), "weight 3 of 4");
            assertEquals(2, light.calls.get(), "weight 1 of 4");
        }
    }

    @Test
    void leastInFlightSendsCallsAwayFromTheBusyInstance() throws Exception {
        try (TestGrpcService a = new TestGrpcService();
             TestGrpcService b = new TestGrpcService();
             GatewayServer g = TestGateways.start(yaml("least-in-flight", a.port(), 1, b.port()))) {
            // A slow call occupies one instance (it waits until its service closes: the end of this test).
            CompletableFuture<WireResponse> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return WireClient.exchange(g.port(), "GET", "/api/slow?millis=20000");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                Poll.until("the slow call reached an instance", Duration.ofSeconds(10),
                        () -> a.calls.get() + b.calls.get() == 1);
                TestGrpcService busy = a.calls.get() == 1 ? a : b;
                TestGrpcService idle = busy == a ? b : a;
                String idleInstance = "127.0.0.1:" + idle.port();
                for (int i = 0; i < 6; i++) {
                    WireResponse r = WireClient.exchange(g.port(), "GET", "/api/echo");
                    assertEquals(200, r.status(), r.toString());
                    // The gateway counts a call out just after the client has its answer; until then the
                    // two instances tie and the next call could go either way.
                    Poll.until("the echo call counted out", Duration.ofSeconds(10),
                            () -> inFlight(g, idleInstance) == 0);
                }
                assertEquals(1, busy.calls.get(), "nothing more went to the busy instance");
                assertEquals(6, idle.calls.get());
            } finally {
                a.close(); // ends the slow call
                b.close();
                slow.handle((r, e) -> null).get();
            }
        }
    }
}
