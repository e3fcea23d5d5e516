package io.concierge.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * Oversized bodies (413, declared and streamed), headers (431) and URIs (414), and the client
 * that sends its request too slowly, against a real gateway; the upstream must never see any of
 * them.
 */
class RequestLimitsTest {
    static WireUpstream upstream;
    static SecureGateway gateway;

    @BeforeAll
    static void start() {
        upstream = WireUpstream.start(WireUpstream.echo());
        gateway = new SecureGateway(SecureGateway.head("limits") + """
                server:
                  max-header-size: 4096
                  max-uri-length: 1024
                  read-timeout: 500ms
                  header-timeout: 1500ms
                """ + SecureGateway.service(upstream.port()) + """
                routes:
                  - id: small
                    match: {path: /api/small/**}
                    service: backend
                    max-body-size: 1KB
                  - id: free
                    match: {path: /api/free/**}
                    service: backend
                """);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    static String body(int n) {
        return "x".repeat(n);
    }

    @Test
    void aDeclaredBodyOverTheRouteLimitIs413BeforeAnythingIsForwarded() throws IOException {
        int before = upstream.requestCount();
        try (WireClient c = WireClient.connect(gateway.server.port())) {
            c.send(c.head("POST", "/api/small/x", "Content-Length: 1025") + body(1025));
            WireResponse r = c.readResponse();
            assertEquals(413, r.status(), r.toString());
            assertEquals("application/problem+json", r.header("Content-Type"));
            assertTrue(c.closedByPeer(), "the unread body must not be parsed as the next request");
        }
        assertEquals(before, upstream.requestCount());
        assertTrue(gateway.stats().bodyTooLarge() >= 1);
    }

    @Test
    void aChunkedBodyIsCutOffWhenItGrowsPastTheLimit() throws IOException {
        try (WireClient c = WireClient.connect(gateway.server.port())) {
            StringBuilder chunks = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                chunks.append("100\r\n").append(body(256)).append("\r\n"); // 5 x 256 = 1280 > 1024
            }
            chunks.append("0\r\n\r\n");
            c.send(c.head("POST", "/api/small/x", "Transfer-Encoding: chunked") + chunks);
            WireResponse r = c.readResponse();
            assertEquals(413, r.status(), r.toString());
            assertEquals("application/problem+json", r.header("Content-Type"));
        }
    }

    @Test
    void bodiesWithinTheLimitPassAndOtherRoutesHaveNone() throws IOException {
        try (WireClient c = WireClient.connect(gateway.server.port())) {
            c.send(c.head("POST", "/api/small/x", "Content-Length: 1024") + body(1024));
            assertEquals(200, c.readResponse().status());
            c.send(c.head("POST", "/api/small/x", "Transfer-Encoding: chunked") + "400\r\n" + body(1024) + "\r\n0\r\n\r\n");
            assertEquals(200, c.readResponse().status());
            c.send(c.head("POST", "/api/free/x", "Content-Length: 5000") + body(5000));
            assertEquals(200, c.readResponse().status());
        }
        assertEquals(5000, upstream.lastRequest().bodyText().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void oversizedHeadersAre431() throws IOException {
        String[] many = new String[10];
        for (int i = 0; i < many.length; i++) {
            many[i] = "X-Big-" + i + ": " + body(500);
        }
        WireResponse r = gateway.get("/api/free/x", many);
        assertEquals(431, r.status(), r.toString());
        assertEquals("application/problem+json", r.header("Content-Type"));
    }

    @Test
    void headersFarOverTheLimitAre431Too() throws IOException {
        // 3 x the 4 KiB limit: past the hard stop of Helidon's parser as well (twice the limit).
        WireResponse r = gateway.get("/api/free/x", "X-Huge: " + body(12_000));
        assertEquals(431, r.status(), r.toString());
        assertEquals("application/problem+json", r.header("Content-Type"));
        WireResponse many = gateway.get("/api/free/x", java.util.stream.IntStream.range(0, 30)
                .mapToObj(i -> "X-Many-" + i + ": " + body(400)).toArray(String[]::new));
        assertEquals(431, many.status(), many.toString());
    }

    @Test
    void anOversizedUriIs414() throws IOException {
        WireResponse r = gateway.get("/api/free/" + body(1100));
        assertEquals(414, r.status(), r.toString());
    }

    @Test
    void aClientThatSendsItsRequestLineTooSlowlyIsDisconnected() throws IOException {
        int before = upstream.requestCount();
        try (WireClient c = WireClient.connect(gateway.server.port())) {
            c.send("GET /api/free/x HT"); // and never the rest
            String answer = c.readUntilClosed(); // returns only because the server closes
            assertTrue(!answer.contains(" 200 "), answer);
        }
        assertEquals(before, upstream.requestCount());
    }

    @Test
    void aClientThatNeverSendsAByteIsDisconnected() throws IOException {
        try (WireClient c = WireClient.connect(gateway.server.port())) {
            c.readTimeout(java.time.Duration.ofSeconds(20));
            assertEquals("", c.readUntilClosed(), "nothing to answer, the connection is just closed");
        }
    }

    @Test
    void aClientThatStallsInsideItsHeadersIsDisconnected() throws IOException {
        int before = upstream.requestCount();
        try (WireClient c = WireClient.connect(gateway.server.port())) {
            c.readTimeout(java.time.Duration.ofSeconds(20));
            c.send("GET /api/free/x HTTP/1.1\r\nHost: gateway\r\nX-Partial: ab"); // and never the rest
            String answer = c.readUntilClosed();
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408 "), answer);
        }
        assertEquals(before, upstream.requestCount());
    }

    @Test
    void aClientThatDripsItsHeadersIsCutAtTheHeaderDeadline() throws Exception {
        // Its own gateway: a read timeout (10 s) no drip gap on a loaded machine comes near, so
        // only the 1 s header deadline can end this connection.
        SecureGateway patient = new SecureGateway(SecureGateway.head("drip") + """
                server:
                  read-timeout: 10s
                  header-timeout: 1s
                """ + SecureGateway.service(upstream.port()) + """
                routes:
                  - id: free
                    match: {path: /api/free/**}
                    service: backend
                """);
        int before = upstream.requestCount();
        long cutBefore = patient.server.runtime().clientTimeouts().headsCut();
        java.util.concurrent.ScheduledExecutorService dripper =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        java.util.concurrent.CountDownLatch cut = new java.util.concurrent.CountDownLatch(1);
        try (WireClient c = WireClient.connect(patient.server.port())) {
            c.send("GET /api/free/x HTTP/1.1\r\nHost: gateway\r\nX-Drip: ");
            // One header byte every 100 ms, for as long as the server keeps the connection; once it
            // has closed, a write fails (broken pipe or reset).
            dripper.scheduleAtFixedRate(() -> {
                try {
                    c.send("a");
                } catch (IOException e) {
                    cut.countDown();
                    throw new java.io.UncheckedIOException(e); // ends the schedule
                }
            }, 0, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
            assertTrue(cut.await(30, java.util.concurrent.TimeUnit.SECONDS),
                    "the server never closed a connection whose head never completed");
        } finally {
            dripper.shutdownNow();
        }
        try {
            assertEquals(before, upstream.requestCount());
            assertTrue(patient.server.runtime().clientTimeouts().headsCut() > cutBefore);
            String metrics = WireClient.exchange(patient.server.adminPort(), "GET", "/metrics").bodyText();
            assertTrue(metrics.matches("(?s).*\nconcierge_request_head_timeouts_total [1-9].*"), metrics);
        } finally {
            patient.close();
        }
    }

    @Test
    void aClientThatStallsInsideItsBodyIsDisconnected() throws IOException {
        long cutBefore = gateway.server.runtime().clientTimeouts().readsCut();
        try (WireClient c = WireClient.connect(gateway.server.port())) {
            c.readTimeout(java.time.Duration.ofSeconds(20));
            c.send(c.head("POST", "/api/free/x", "Content-Length: 100") + body(10)); // 90 bytes short
            String answer = c.readUntilClosed();
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
            assertTrue(answer.contains("application/problem+json"), answer);
        }
        // Cut by the server's sweep (the socket has no SO_TIMEOUT any more: issue 19), and counted.
        assertTrue(gateway.server.runtime().clientTimeouts().readsCut() > cutBefore);
        String metrics = WireClient.exchange(gateway.server.adminPort(), "GET", "/metrics").bodyText();
        assertTrue(metrics.matches("(?s).*\nconcierge_client_read_timeouts_total [1-9].*"), metrics);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosed() throws IOException {
        try (WireClient c = WireClient.connect(gateway.server.port())) {
            c.send(c.head("GET", "/api/free/x"));
            assertEquals(200, c.readResponse().status());
            // Helidon's idle check and the read watch both end it, whichever comes first.
            assertTrue(c.closedByPeer(), "an idle keep-alive connection is closed after read-timeout");
        }
    }

    @Test
    void aClientThatKeepsSendingWithinTheReadTimeoutIsNotCut() throws IOException {
        // A body sent in pieces, each gap well inside the 500 ms read timeout: every read is watched
        // and none may be cut (the watch is per read, not per request).
        long cutBefore = gateway.server.runtime().clientTimeouts().readsCut();
        int before = upstream.requestCount();
        try (WireClient c = WireClient.connect(gateway.server.port())) {
            c.send(c.head("POST", "/api/free/x", "Content-Length: 30"));
            for (int i = 0; i < 3; i++) {
                // The gap is what is tested (separate reads), not a wait for anything: a tenth of the
                // read timeout, so even a loaded machine stays far inside it.
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
                c.send(body(10));
            }
            assertEquals(200, c.readResponse().status());
        }
        assertEquals(before + 1, upstream.requestCount());
        assertEquals(cutBefore, gateway.server.runtime().clientTimeouts().readsCut());
    }
}
