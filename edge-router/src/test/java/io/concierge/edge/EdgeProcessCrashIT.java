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

import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * The failover of {@link EdgeFailoverIT} with real gateway processes ({@code java -jar
 * microgateway.jar run gateway.yaml}), one of them killed with SIGKILL
 * ({@link Process#destroyForcibly()}) while a GET is in flight on it and a client streams requests
 * through the edge. The processes run without a cluster (static discovery); the test registers
 * them for the edge, and nobody deregisters the killed one.
 */
class EdgeProcessCrashIT {
    private static final Duration BOUND = Duration.ofSeconds(30);

    private final Resources resources = new Resources();
    private final MemoryDiscovery discovery = new MemoryDiscovery();
    private final CountDownLatch gate = new CountDownLatch(1);

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() throws Exception {
        gate.countDown();
        resources.close();
    }

    @Test
    void aGatewayProcessKilledWithSigkillCostsNoRequest() throws Exception {
        assertTrue(Files.isRegularFile(GatewayProcess.JAR), GatewayProcess.JAR + " is built by the microgateway module's package phase");
        WireUpstream upstreamA = resources.track(WireUpstream.start(WireUpstream.choose(
                r -> r.path().endsWith("/held"), WireUpstream.heldUntil(gate, WireUpstream.echo()), WireUpstream.echo())));
        WireUpstream upstreamB = resources.track(WireUpstream.start(WireUpstream.echo()));
        GatewayProcess a = resources.track(startGateway(dir, "a", upstreamA.port()));
        GatewayProcess b = resources.track(startGateway(dir, "b", upstreamB.port()));
        EdgeServer edge = resources.track(EdgeServer.start(EdgeConfig.parse("edge.yaml",
                "listen: {port: 0}\nadmin: {port: 0}\naccess-log: {enabled: false}\nupstream:\n  ejection: {base: 5m, max: 5m}\n", k -> null),
                discovery));
        resources.track(gate::countDown);

        // A GET in flight on A: sent while A is the only instance.
        register("a", a.port());
        Poll.until("the edge sees A", BOUND, () -> Map.of("test", 1).equals(edge.liveInstances()));
        WireClient heldClient = resources.track(WireClient.connect(edge.port()));
        CompletableFuture<WireResponse> held = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                heldClient.send(heldClient.head("GET", "/api/orders/held"));
                held.complete(heldClient.readResponse());
            } catch (IOException | RuntimeException e) {
                held.completeExceptionally(e);
            }
        });
        upstreamA.awaitRequests(1, BOUND);
        register("b", b.port());
        Poll.until("the edge sees A and B", BOUND, () -> Map.of("test", 2).equals(edge.liveInstances()));

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

        a.kill();
        WireResponse heldAnswer = held.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, heldAnswer.status(), heldAnswer.toString());
        int atKill = done.get();
        Poll.until("steady traffic goes on", BOUND, () -> done.get() >= atKill + 100);
        int aAfterKill = upstreamA.requestCount();
        Poll.until("more steady traffic", BOUND, () -> done.get() >= atKill + 200);
        stop.countDown();
        client.join(BOUND);

        assertEquals(List.of(), failures, "failed requests");
        assertEquals(aAfterKill, upstreamA.requestCount(), "the killed instance's upstream received nothing more");
        WireResponse m = WireClient.exchange(edge.adminPort(), "GET", "/metrics");
        PrometheusScrape metrics = new PrometheusScrape(m.bodyText());
        assertTrue(metrics.value("concierge_edge_retries_total", "domain", "test") >= 1, "retries counted");
        assertEquals(1.0, metrics.value("concierge_edge_ejections_total", "domain", "test"));
    }

    private void register(String id, int port) {
        discovery.register(new Registration(id, "test", List.of("/api"), "127.0.0.1", port, 0,
                System.currentTimeMillis(), Map.of()));
    }

    /** GETs and every fifth a HEAD, on one keep-alive connection, until stopped or a bound. */
    private static void stream(int port, CountDownLatch stop, AtomicInteger done, List<String> failures) {
        WireClient c = null;
        try {
            for (int i = 0; i < 20_000 && stop.getCount() > 0; i++) {
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

    /** A gateway process of its own on {@code upstreamPort}, static discovery. */
    private static GatewayProcess startGateway(Path dir, String name, int upstreamPort) throws IOException {
        Path yaml = dir.resolve(name + ".yaml");
        Files.writeString(yaml, """
                domain: test
                prefixes: [/api]
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                discovery: {type: static}
                access-log: {enabled: false}
                services:
                  backend:
                    instances:
                      - url: http://127.0.0.1:%d
                routes:
                  - id: all
                    match: {path: /api/**}
                    service: backend
                """.formatted(upstreamPort));
        return GatewayProcess.start(yaml, BOUND, "-Xmx128m");
    }
}
