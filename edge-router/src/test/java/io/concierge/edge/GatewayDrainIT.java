package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * Graceful shutdown with real processes: two gateway processes ({@code java -jar microgateway.jar run})
 * and an edge in this JVM share a Hazelcast cluster and its embedded registry, as in the demo. One
 * gateway gets SIGTERM while a client streams requests through the edge and a slow request is in
 * flight on it: it answers not-ready on {@code /health/ready}, deregisters, still serves during its
 * {@code shutdown.drain} while the edge drops it from its watch, then closes its listener and lets
 * the slow request finish within {@code shutdown.grace-period}, and exits. No request fails and the
 * edge never needs a retry.
 */
class GatewayDrainIT {
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final Resources resources = new Resources();
    private final CountDownLatch gate = new CountDownLatch(1);

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() throws Exception {
        gate.countDown();
        resources.close();
    }

    @Test
    void aGatewayStoppedWithSigtermUnderLoadCostsNoRequest() throws Exception {
        assertTrue(Files.isRegularFile(GatewayProcess.JAR), GatewayProcess.JAR + " is built by the microgateway module's package phase");
        MeshFixture mesh = resources.track(new MeshFixture());
        WireUpstream upstreamA = resources.track(WireUpstream.start(WireUpstream.choose(
                r -> r.path().endsWith("/slow"), WireUpstream.heldUntil(gate, WireUpstream.echo()), WireUpstream.echo())));
        WireUpstream upstreamB = resources.track(WireUpstream.start(WireUpstream.echo()));
        // Members join one at a time, as in the demo: simultaneous joins on a small machine can form
        // split clusters.
        EdgeServer edge = resources.track(EdgeServer.start(EdgeConfig.parse("edge.yaml",
                "listen: {port: 0}\nadmin: {port: 0}\naccess-log: {enabled: false}\n", k -> null),
                mesh.member("edge").registry()));
        GatewayProcess a = resources.track(startGateway(dir, "a", upstreamA.port(), mesh));
        a.awaitListening();
        untilOrShow(a, "the edge sees A", () -> Map.of("test", 1).equals(edge.liveInstances()));
        assertEquals(200, WireClient.exchange(a.adminPort(), "GET", "/health/ready").status(), "A is ready");

        // A slow GET in flight on A (the only instance yet) when it gets SIGTERM.
        WireClient slowClient = resources.track(WireClient.connect(edge.port()));
        CompletableFuture<WireResponse> slow = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                slowClient.send(slowClient.head("GET", "/api/orders/slow"));
                slow.complete(slowClient.readResponse());
            } catch (IOException | RuntimeException e) {
                slow.completeExceptionally(e);
            }
        });
        upstreamA.awaitRequests(1, BOUND);
        GatewayProcess b = resources.track(startGateway(dir, "b", upstreamB.port(), mesh));
        b.awaitListening();
        untilOrShow(b, "the edge sees A and B", () -> Map.of("test", 2).equals(edge.liveInstances()));

        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger done = new AtomicInteger();
        CountDownLatch stop = new CountDownLatch(1);
        Thread client = Thread.ofVirtual().start(() -> stream(edge.port(), stop, done, failures));
        resources.track(() -> {
            stop.countDown();
            client.join(BOUND);
        });
        Poll.until("steady traffic on both instances", BOUND,
                () -> upstreamA.requestCount() >= 20 && upstreamB.requestCount() >= 20);

        a.terminate(); // SIGTERM
        untilOrShow(a, "A answers not ready while it drains", () -> readyStatus(a.adminPort()) == 503);
        untilOrShow(a, "the edge drops A", () -> Map.of("test", 1).equals(edge.liveInstances()));
        // Without a drain window A would have stopped listening as soon as it deregistered.
        assertEquals(200, WireClient.exchange(a.port(), "GET", "/api/direct").status(),
                "A still serves after deregistering, during its drain");
        untilOrShow(a, "A stops listening after its drain", () -> !accepts(a.port()));
        gate.countDown(); // the slow request, still in flight, finishes within the grace period
        WireResponse slowAnswer = slow.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, slowAnswer.status(), slowAnswer.toString());
        assertEquals(143, a.awaitExit(), "A exits as a SIGTERM'd JVM does, after its drain:\n" + a.output());
        int atExit = done.get();
        Poll.until("steady traffic goes on", BOUND, () -> done.get() >= atExit + 100);
        stop.countDown();
        client.join(BOUND);

        assertEquals(List.of(), failures, "failed requests");
        PrometheusScrape metrics = new PrometheusScrape(WireClient.exchange(edge.adminPort(), "GET", "/metrics").bodyText());
        assertEquals(0.0, metrics.value("concierge_edge_retries_total", "domain", "test"),
                "the edge never had to retry: A was out of its watch before it stopped listening");
        assertEquals(200, WireClient.exchange(b.adminPort(), "GET", "/health/ready").status(), "B stays ready");
    }

    /** {@link Poll#until} that shows the gateway's output when it times out. */
    private static void untilOrShow(GatewayProcess p, String what, java.util.function.BooleanSupplier condition) {
        try {
            Poll.until(what, BOUND, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\ngateway output:\n" + p.output(), e);
        }
    }

    private static boolean accepts(int port) {
        try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int readyStatus(int adminPort) {
        try {
            return WireClient.exchange(adminPort, "GET", "/health/ready").status();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** GETs on one keep-alive connection through the edge, until stopped or a bound. */
    private static void stream(int port, CountDownLatch stop, AtomicInteger done, List<String> failures) {
        WireClient c = null;
        try {
            for (int i = 0; i < 50_000 && stop.getCount() > 0; i++) {
                String path = "/api/steady/" + i;
                try {
                    if (c == null) {
                        c = WireClient.connect(port);
                    }
                    c.send(c.head("GET", path));
                    WireResponse r = c.readResponse();
                    if (r.status() != 200) {
                        failures.add(path + ": " + r.statusLine());
                    }
                } catch (IOException e) {
                    failures.add(path + ": " + e);
                    if (c != null) {
                        c.close();
                        c = null;
                    }
                }
                done.incrementAndGet();
            }
        } finally {
            if (c != null) {
                c.close();
            }
        }
    }

    /** A gateway process in the test's cluster on {@code upstreamPort}, with a drain window. */
    private static GatewayProcess startGateway(Path dir, String name, int upstreamPort, MeshFixture mesh)
            throws IOException {
        Path yaml = dir.resolve(name + ".yaml");
        Files.writeString(yaml, """
                domain: test
                prefixes: [/api]
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                cluster: {name: %s, port: %d, port-count: 20, members: [127.0.0.1], failure-detection: 3s}
                discovery: {type: embedded}
                access-log: {enabled: false}
                shutdown: {drain: 8s, grace-period: 20s}
                services:
                  backend:
                    instances:
                      - url: http://127.0.0.1:%d
                routes:
                  - id: all
                    match: {path: /api/**}
                    service: backend
                """.formatted(mesh.clusterName, mesh.basePort, upstreamPort));
        return GatewayProcess.start(yaml, BOUND, "-Xmx160m", "-XX:+UseSerialGC");
    }
}
