package io.concierge.gateway.balancing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a real gateway spreads requests over three real upstreams, per balancing mode. */
class LoadBalancingTest {
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);

    @AfterEach
    void stop() throws Exception {
        gate.countDown();
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void roundRobinIsExactlyEven() throws IOException {
        WireUpstream[] up = upstreams(3);
        GatewayServer gateway = gateway("round-robin", up, 1, 1, 1);

        sendSequentially(gateway, 300);

        assertEquals(List.of(100, 100, 100), counts(up));
    }

    @Test
    void weightedIsExactlyProportional() throws IOException {
        WireUpstream[] up = upstreams(3);
        GatewayServer gateway = gateway("weighted", up, 1, 2, 3);

        sendSequentially(gateway, 600);

        assertEquals(List.of(100, 200, 300), counts(up));
    }

    @Test
    void weightedSpreadsTheHeavyInstanceOut() throws IOException {
        // Smooth weighted round-robin (nginx's): the weight-3 instance c is interleaved with the
        // others rather than picked three times in a row, and the pattern repeats every six picks.
        WireUpstream[] up = upstreams(3);
        GatewayServer gateway = gateway("weighted", up, 1, 2, 3);
        sendSequentially(gateway, 12);
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            for (int u = 0; u < 3; u++) {
                String target = "/api/lb/" + i;
                if (up[u].requests().stream().anyMatch(r -> r.target().equals(target))) {
                    order.append((char) ('a' + u));
                }
            }
        }
        assertEquals("cbacbccbacbc", order.toString());
    }

    @Test
    void leastInFlightAvoidsTheInstanceThatIsHoldingRequests() throws Exception {
        // Instance 0 holds every request until the test ends; 1 and 2 answer at once. Requests are
        // sent one at a time, each after the previous one reached an upstream (and, unless it is
        // held, completed). Once instance 0 holds one request, whichever pair power-of-two-choices
        // draws, the other instance has fewer in flight, so 0 is not picked again - at most once
        // more, if the previous exchange had not quite released its instance when the next pick ran.
        Semaphore arrivals = new Semaphore(0);
        WireUpstream held = start(WireUpstream.start(r -> {
            arrivals.release();
            gate.await();
            return WireUpstream.echo().reply(r);
        }));
        WireUpstream fast1 = start(WireUpstream.start(r -> {
            arrivals.release();
            return WireUpstream.echo().reply(r);
        }));
        WireUpstream fast2 = start(WireUpstream.start(r -> {
            arrivals.release();
            return WireUpstream.echo().reply(r);
        }));
        GatewayServer gateway = gateway("least-in-flight", new WireUpstream[] {held, fast1, fast2}, 1, 1, 1);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> heldResponses = new ArrayList<>();

        for (int i = 0; i < 60; i++) {
            int heldBefore = held.requestCount();
            CompletableFuture<HttpResponse<String>> response = client.sendAsync(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.port() + "/api/lif/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(arrivals.tryAcquire(30, TimeUnit.SECONDS), "request " + i + " reached no upstream");
            if (held.requestCount() > heldBefore) {
                heldResponses.add(response);
            } else {
                assertEquals(200, response.get(30, TimeUnit.SECONDS).statusCode());
            }
        }

        assertTrue(held.requestCount() >= 0 && held.requestCount() <= 2,
                "the held instance got " + held.requestCount() + " of 60");
        assertEquals(60, held.requestCount() + fast1.requestCount() + fast2.requestCount());
        gate.countDown();
        for (CompletableFuture<HttpResponse<String>> r : heldResponses) {
            assertEquals(200, r.get(30, TimeUnit.SECONDS).statusCode(), "held requests complete once released");
        }
        client.close();
    }

    @Test
    void roundRobinWouldNotHaveAvoidedIt() throws Exception {
        // The control for the test above: the same setup with round-robin sends the held instance
        // its full third, so the least-in-flight result is the balancer's doing.
        Semaphore arrivals = new Semaphore(0);
        WireUpstream held = start(WireUpstream.start(r -> {
            arrivals.release();
            gate.await();
            return WireUpstream.echo().reply(r);
        }));
        WireUpstream fast = start(WireUpstream.start(r -> {
            arrivals.release();
            return WireUpstream.echo().reply(r);
        }));
        GatewayServer gateway = gateway("round-robin", new WireUpstream[] {held, fast}, 1, 1);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 10; i++) {
            client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/api/rr/" + i))
                    .build(), HttpResponse.BodyHandlers.discarding());
            assertTrue(arrivals.tryAcquire(30, TimeUnit.SECONDS));
        }
        assertEquals(5, held.requestCount());
        gate.countDown();
        client.close();
    }

    private WireUpstream[] upstreams(int n) {
        WireUpstream[] up = new WireUpstream[n];
        for (int i = 0; i < n; i++) {
            up[i] = start(WireUpstream.start());
        }
        return up;
    }

    private <T extends AutoCloseable> T start(T resource) {
        resources.add(resource);
        return resource;
    }

    private GatewayServer gateway(String balancing, WireUpstream[] up, int... weights) {
        StringBuilder instances = new StringBuilder();
        for (int i = 0; i < up.length; i++) {
            instances.append("      - {url: \"").append(up[i].url()).append("\", weight: ").append(weights[i]).append("}\n");
        }
        return start(TestGateways.start("""
                domain: test
                prefixes: [/api]
                services:
                  backend:
                    load-balancing: %s
                    instances:
                %s
                routes:
                  - id: all
                    match: {path: /api/**}
                    service: backend
                """.formatted(balancing, instances)));
    }

    private static void sendSequentially(GatewayServer gateway, int count) throws IOException {
        try (WireClient c = WireClient.connect(gateway.port())) {
            for (int i = 0; i < count; i++) {
                c.send(c.head("GET", "/api/lb/" + i));
                WireResponse r = c.readResponse();
                assertEquals(200, r.status(), r::toString);
            }
        }
    }

    private static List<Integer> counts(WireUpstream[] up) {
        List<Integer> counts = new ArrayList<>();
        for (WireUpstream u : up) {
            counts.add(u.requestCount());
        }
        return counts;
    }
}
