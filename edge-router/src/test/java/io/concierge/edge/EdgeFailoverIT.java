package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * A gateway instance killed under load costs no request: an edge, two real gateway instances of
 * domain {@code test} registered in discovery, each with a real upstream. Instance A sits behind a
 * {@link CrashableRelay}, so it can die as a killed process does (listener gone, connections reset,
 * registration left behind) at a chosen moment, with a request in flight on it.
 */
class EdgeFailoverIT {
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** Long enough that the dead instance is never probed again during a test. */
    private static final String EDGE_YAML = "listen: {port: 0}\nadmin: {port: 0}\naccess-log: {enabled: false}\n"
            + "upstream:\n  ejection: {base: 5m, max: 5m}\n";

    private final Resources resources = new Resources();
    private final MemoryDiscovery discovery = new MemoryDiscovery();
    private final CountDownLatch gate = new CountDownLatch(1);
    private WireUpstream upstreamA;
    private WireUpstream upstreamB;
    private GatewayServer gatewayA;
    private GatewayServer gatewayB;
    private CrashableRelay relayA;
    private EdgeServer edge;

    @AfterEach
    void closeAll() throws Exception {
        gate.countDown();
        resources.close();
    }

    /** Upstream A holds requests to {@code .../held} until {@link #gate} opens; B answers everything. */
    private void startMesh() {
        startMesh(EDGE_YAML);
    }

    private void startMesh(String edgeYaml) {
        upstreamA = resources.track(WireUpstream.start(WireUpstream.choose(r -> r.path().endsWith("/held"),
                WireUpstream.heldUntil(gate, WireUpstream.echo()), WireUpstream.echo())));
        upstreamB = resources.track(WireUpstream.start(WireUpstream.echo()));
        gatewayA = resources.track(TestGateways.startOneRoute(upstreamA.port()));
        gatewayB = resources.track(TestGateways.startOneRoute(upstreamB.port()));
        relayA = resources.track(CrashableRelay.to(gatewayA.port()));
        edge = resources.track(EdgeServer.start(EdgeConfig.parse("edge.yaml", edgeYaml, k -> null), discovery));
        resources.track(gate::countDown); // closed first: held requests end before their servers stop
    }

    private void register(String id, int port) {
        discovery.register(new Registration(id, "test", List.of("/api"), "127.0.0.1", port, 0,
                System.currentTimeMillis(), Map.of()));
    }

    /** A request that instance A holds: sent while A is the only instance, so it is A's. */
    private CompletableFuture<WireResponse> heldOnA(String request) throws Exception {
        register("a", relayA.port());
        Poll.until("the edge sees A", BOUND, () -> Map.of("test", 1).equals(edge.liveInstances()));
        WireClient client = resources.track(WireClient.connect(edge.port()));
        CompletableFuture<WireResponse> response = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                client.send(request);
                response.complete(client.readResponse());
            } catch (IOException | RuntimeException e) {
                response.completeExceptionally(e);
            }
        });
        upstreamA.awaitRequests(1, BOUND);
        register("b", gatewayB.port());
        Poll.until("the edge sees A and B", BOUND, () -> Map.of("test", 2).equals(edge.liveInstances()));
        return response;
    }

    @Test
    void anInstanceKilledUnderSteadyLoadCostsNoRequest() throws Exception {
        startMesh();
        CompletableFuture<WireResponse> held = heldOnA("GET /api/orders/held HTTP/1.1\r\nHost: edge\r\n\r\n");
        SteadyClient steady = new SteadyClient(edge.port());
        Thread client = Thread.ofVirtual().start(steady);
        resources.track(() -> {
            steady.stop = true;
            client.join(BOUND);
        });
        Poll.until("steady traffic on both instances", BOUND,
                () -> steady(upstreamA) >= 20 && steady(upstreamB) >= 20);

        relayA.crash();
        // The request in flight on A failed before any response byte: the edge sends it to B.
        WireResponse heldAnswer = held.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, heldAnswer.status(), heldAnswer.toString());
        assertTrue(upstreamB.requests().stream().anyMatch(r -> r.path().equals("/api/orders/held")));
        int bAtCrash = steady(upstreamB);
        Poll.until("steady traffic goes on, on B", BOUND, () -> steady(upstreamB) >= bAtCrash + 10);
        int aAfterCrash = upstreamA.requestCount();
        Poll.until("more steady traffic", BOUND, () -> steady(upstreamB) >= bAtCrash + 100);
        steady.stop = true;
        client.join(BOUND);

        assertEquals(List.of(), steady.failures, "failed requests");
        assertTrue(steady.heads.get() > 0 && steady.gets.get() > steady.heads.get(), steady.toString());
        assertEquals(aAfterCrash, upstreamA.requestCount(), "the dead instance received nothing more");

        // Stopped choosing it at once: one ejection, and were it chosen, a listener back on its
        // address would see the connection now (its ejection lasts minutes in this test).
        PrometheusScrape metrics = metrics();
        assertTrue(metrics.value("concierge_edge_retries_total", "domain", "test") >= 1, "retries counted");
        assertEquals(1.0, metrics.value("concierge_edge_ejections_total", "domain", "test"));
        assertEquals(1.0, metrics.value("concierge_edge_ejected_instances", "domain", "test"));
        try (ServerSocket back = new ServerSocket()) {
            back.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), relayA.port()));
            back.setSoTimeout(1);
            for (int i = 0; i < 10; i++) {
                assertEquals(200, WireClient.exchange(edge.port(), "GET", "/api/after/" + i).status());
            }
            try {
                back.accept().close();
                throw new AssertionError("the edge connected to the ejected instance");
            } catch (java.net.SocketTimeoutException expected) {
                // nothing is waiting in the accept queue: the edge never tried
            }
        }
    }

    @Test
    void aPostTheDeadInstanceReceivedIsNotReplayed() throws Exception {
        startMesh();
        String body = "{\"item\":42}";
        CompletableFuture<WireResponse> post = heldOnA("POST /api/orders/held HTTP/1.1\r\nHost: edge\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        relayA.crash();

        WireResponse answer = post.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(502, answer.status(), answer.toString());
        assertEquals("application/problem+json", answer.header("Content-Type"));
        assertEquals(0, upstreamB.requestCount(), "the POST was sent to B as well");
        assertEquals(0.0, metrics().value("concierge_edge_retries_total", "domain", "test"));
        // B was there all along: the next request goes to it.
        assertEquals(200, WireClient.exchange(edge.port(), "GET", "/api/orders/1").status());
        assertEquals(1, upstreamB.requestCount());
    }

    @Test
    void aGetWhoseAnswerHadBegunIsNotRetried() throws Exception {
        startMesh();
        CompletableFuture<WireResponse> get = heldOnA("GET /api/orders/held HTTP/1.1\r\nHost: edge\r\n\r\n");
        // A dies after the first 12 bytes of its answer ("HTTP/1.1 200"): the gateway may have
        // done the work and begun to say so, which the edge cannot undo by asking B.
        relayA.cutAfterResponseBytes(12);
        gate.countDown();

        WireResponse answer = get.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertTrue(relayA.crashed());
        assertEquals(502, answer.status(), answer.toString());
        assertEquals("application/problem+json", answer.header("Content-Type"));
        assertEquals(0, upstreamB.requestCount(), "the GET was retried on B");
        assertEquals(0.0, metrics().value("concierge_edge_retries_total", "domain", "test"));
    }

    @Test
    void anEjectedInstanceGetsTrafficAgainOnceItIsBack() throws Exception {
        startMesh("listen: {port: 0}\nadmin: {port: 0}\naccess-log: {enabled: false}\nupstream:\n  ejection: {base: 100ms, max: 200ms}\n");
        register("a", relayA.port());
        register("b", gatewayB.port());
        Poll.until("the edge sees A and B", BOUND, () -> Map.of("test", 2).equals(edge.liveInstances()));
        relayA.crash();
        int[] sent = {0};
        Poll.until("A refused a connection and was ejected", BOUND, () -> {
            assertEquals(200, get("/api/steady/" + sent[0]++));
            return metricsUnchecked().value("concierge_edge_ejections_total", "domain", "test") >= 1;
        });
        int before = upstreamA.requestCount();
        // The instance comes back at its address (a restart); discovery never removed it. Once its
        // ejection has run out, a request tries it again and it is back in rotation.
        resources.track(CrashableRelay.at(relayA.port(), gatewayA.port()));
        Poll.until("A serves again", BOUND, () -> {
            assertEquals(200, get("/api/steady/" + sent[0]++));
            return upstreamA.requestCount() > before;
        });
    }

    private int get(String path) {
        try {
            return WireClient.exchange(edge.port(), "GET", path).status();
        } catch (IOException e) {
            throw new AssertionError(path + ": " + e, e);
        }
    }

    private PrometheusScrape metricsUnchecked() {
        try {
            return metrics();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int steady(WireUpstream upstream) {
        int n = 0;
        for (RecordedRequest r : upstream.requests()) {
            if (r.path().startsWith("/api/steady/")) {
                n++;
            }
        }
        return n;
    }

    private PrometheusScrape metrics() throws IOException {
        WireResponse r = WireClient.exchange(edge.adminPort(), "GET", "/metrics");
        assertEquals(200, r.status());
        return new PrometheusScrape(r.bodyText());
    }

    /**
     * One client on one keep-alive connection, request after request (every fifth a HEAD), until
     * stopped or after a bound; every answer that is not a 200 is a failure.
     */
    private static final class SteadyClient implements Runnable {
        private static final int MAX_REQUESTS = 20_000;
        private final int port;
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger gets = new AtomicInteger();
        final AtomicInteger heads = new AtomicInteger();
        volatile boolean stop;

        SteadyClient(int port) {
            this.port = port;
        }

        @Override
        public void run() {
            WireClient c = null;
            try {
                for (int i = 0; i < MAX_REQUESTS && !stop; i++) {
                    boolean head = i % 5 == 4;
                    String path = "/api/steady/" + i;
                    try {
                        if (c == null) {
                            c = WireClient.connect(port);
                        }
                        c.send(c.head(head ? "HEAD" : "GET", path));
                        WireResponse r = head ? c.readHeadResponse() : c.readResponse();
                        if (r.status() != 200) {
                            failures.add(path + ": " + r.statusLine());
                        }
                        (head ? heads : gets).incrementAndGet();
                    } catch (IOException e) {
                        failures.add(path + ": " + e);
                        if (c != null) {
                            c.close();
                            c = null;
                        }
                    }
                }
            } finally {
                if (c != null) {
                    c.close();
                }
            }
        }

        @Override
        public String toString() {
            return gets + " GETs, " + heads + " HEADs, " + failures.size() + " failures";
        }
    }
}
