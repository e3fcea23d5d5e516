package io.concierge.gateway.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.http.Status;
import io.helidon.webserver.WebServer;

/**
 * A real JWKS endpoint (Helidon WebServer on an ephemeral port) whose key set a test can replace
 * (rotation) and which can be made to fail (issuer outage). It counts every fetch.
 */
final class JwksServer implements AutoCloseable {
    private final WebServer server;
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile List<Map<String, Object>> keys = List.of();
    private volatile boolean down;

    JwksServer() {
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .shutdownHook(false)
                .routing(r -> r.get("/jwks.json", (req, res) -> {
                    synchronized (fetches) {
                        fetches.incrementAndGet();
                        fetches.notifyAll();
                    }
                    if (down) {
                        res.status(Status.SERVICE_UNAVAILABLE_503).send("down");
                        return;
                    }
                    res.header("Content-Type", "application/jwk-set+json");
                    res.send(TestTokens.JSON.writeValueAsBytes(Map.of("keys", keys)));
                }))
                .build()
                .start();
    }

    String url() {
        return "http://127.0.0.1:" + server.port() + "/jwks.json";
    }

    @SafeVarargs
    final JwksServer publish(Map<String, Object>... jwks) {
        this.keys = new ArrayList<>(List.of(jwks));
        return this;
    }

    void down(boolean down) {
        this.down = down;
    }

    int fetches() {
        return fetches.get();
    }

    /** Waits (bounded) until the endpoint has been asked {@code count} times in all. */
    void awaitFetches(int count, java.time.Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (fetches) {
            while (fetches.get() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " JWKS fetches, saw " + fetches.get());
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(fetches, left);
            }
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
