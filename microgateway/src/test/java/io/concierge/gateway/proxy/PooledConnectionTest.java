package io.concierge.gateway.proxy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keep-alive connections to the upstream: reused under sequential load, and never the cause of a
 * client-visible failure when the upstream closes one between requests. This is the regression
 * test for the "lost first byte on pooled connections" failures that Helidon's WebClient showed
 * (DEPENDENCIES.md): every response must be the right one, complete, for every request.
 */
class PooledConnectionTest {
    private static HttpClient client;

    private WireUpstream upstream;
    private GatewayServer gateway;

    @BeforeAll
    static void client() {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void fiveThousandSequentialRequestsReuseAFewUpstreamConnections() throws Exception {
        upstream = WireUpstream.start();
        gateway = TestGateways.startOneRoute(upstream.port());

        List<String> failures = sendSequentially(5_000);

        assertEquals(List.of(), failures);
        assertEquals(5_000, upstream.requestCount(), "no request was sent twice");
        assertTrue(upstream.connectionsAccepted() <= 20,
                "5000 requests used " + upstream.connectionsAccepted() + " upstream connections");
        assertEquals(0, upstream.protocolErrors());
    }

    @Test
    void anUpstreamThatClosesAfterEveryThirdResponseCausesNoFailure() throws Exception {
        upstream = WireUpstream.start().closeAfterEvery(3);
        gateway = TestGateways.startOneRoute(upstream.port());

        List<String> failures = sendSequentially(300);

        assertEquals(List.of(), failures);
        // Proof that the scenario happened: the upstream really dropped its connections, so
        // the pool kept meeting connections that had been closed under it.
        assertTrue(upstream.connectionsAccepted() >= 100, "connections: " + upstream.connectionsAccepted());
        assertEquals(0, upstream.protocolErrors());
    }

    @Test
    void aRequestDroppedOnAPooledConnectionIsRetriedOnAFreshOne() throws Exception {
        // Deterministic version of the race above: every fourth request on a connection is read and
        // then dropped by the upstream, so every fourth exchange needs the retry.
        upstream = WireUpstream.start().dropRequestsAfter(3);
        gateway = TestGateways.startOneRoute(upstream.port());

        List<String> failures = sendSequentially(300);

        assertEquals(List.of(), failures);
        assertTrue(upstream.droppedRequests().size() >= 90, "dropped: " + upstream.droppedRequests().size());
        assertEquals(300, upstream.requestCount());
    }

    @Test
    void aRequestWithABodyIsNeverReplayed() throws Exception {
        // The upstream may have read and processed a request before the connection died, and a
        // POST is not idempotent: the client gets a 502 rather than a second execution.
        upstream = WireUpstream.start().dropRequestsAfter(3);
        gateway = TestGateways.startOneRoute(upstream.port());
        int failed = 0;
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/api/post/" + i))
                    .POST(HttpRequest.BodyPublishers.ofString("body-" + i)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                assertEquals(502, r.statusCode(), r.body());
                failed++;
            }
        }
        List<String> dropped = upstream.droppedRequests();
        assertTrue(dropped.size() >= 1, "the scenario did not happen");
        for (RecordedRequest seen : upstream.requests()) {
            assertFalse(dropped.contains(seen.requestLine()), "replayed: " + seen.requestLine());
        }
        assertEquals(dropped.size(), failed, "exactly the dropped requests failed");
    }

    /**
     * Sends GET /api/seq/i for each i on one keep-alive client connection and checks that each
     * response is the complete echo of exactly that request.
     */
    private List<String> sendSequentially(int count) throws IOException {
        List<String> failures = new ArrayList<>();
        try (WireClient wire = WireClient.connect(gateway.port())) {
            for (int i = 0; i < count; i++) {
                String target = "/api/seq/" + i;
                wire.send(wire.head("GET", target));
                WireResponse r = wire.readResponse();
                if (r.status() != 200) {
                    failures.add(target + " -> " + r);
                    continue;
                }
                String answered = r.json().get("target").asText();
                if (!target.equals(answered)) {
                    failures.add(target + " -> answer for " + answered);
                }
            }
        }
        return failures;
    }

    private URI uri(String target) {
        return URI.create("http://127.0.0.1:" + gateway.port() + target);
    }
}
