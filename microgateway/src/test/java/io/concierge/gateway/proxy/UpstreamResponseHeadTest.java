package io.concierge.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * Upstream response heads the gateway must not pass on (issue 12, items 8 and 14): control
 * characters in a reason phrase or a header value become a 502 problem, never bytes on the client's
 * connection; an upstream that sends interim 1xx responses without end is cut off by count (502)
 * and by the read timeout (504), however promptly each one arrives.
 */
class UpstreamResponseHeadTest {
    private static WireUpstream broken;
    private static InterimDrip drip;
    private static GatewayServer gateway;

    @BeforeAll
    static void start() throws IOException {
        broken = WireUpstream.start(r -> switch (r.path()) {
            case "/api/bare-cr" -> UpstreamReply.raw("HTTP/1.1 200 OK\r\nX-A: one\rSet-Cookie: evil=1\r\n"
                    + "Content-Length: 2\r\n\r\nok");
            case "/api/nul" -> UpstreamReply.raw("HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\nok");
            case "/api/ctl" -> UpstreamReply.raw("HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 2\r\n\r\nok");
            case "/api/reason-cr" -> UpstreamReply.raw("HTTP/1.1 200 OK\rSet-Cookie: evil=1\r\nContent-Length: 2\r\n\r\nok");
            case "/api/reason-nul" -> UpstreamReply.raw("HTTP/1.1 200 O\0K\r\nContent-Length: 2\r\n\r\nok");
            case "/api/bad-name" -> UpstreamReply.raw("HTTP/1.1 200 OK\r\nX A: 1\r\nContent-Length: 2\r\n\r\nok");
            case "/api/interim-flood" -> UpstreamReply.raw("HTTP/1.1 100 Continue\r\n\r\n".repeat(1000)
                    + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            case "/api/early-hints" -> UpstreamReply.raw("HTTP/1.1 100 Continue\r\n\r\n"
                    + "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            default -> UpstreamReply.raw("HTTP/1.1 200 OK\r\nX-Tab: a\tb\r\nX-Latin: caf\u00e9\r\nContent-Length: 2\r\n\r\nok");
        });
        drip = new InterimDrip();
        gateway = TestGateways.start("""
                domain: test
                listen: {port: 0}
                admin: {port: 0}
                prefixes: [/api, /drip]
                services:
                  broken:
                    instances: [{url: "http://127.0.0.1:%d"}]
                    # Every case here is a broken answer; no breaker or ejection may turn one into a 503.
                    resilience:
                      retry: {attempts: 1}
                      circuit-breaker: {enabled: false}
                      outlier-ejection: {consecutive-failures: 1000}
                  drip:
                    instances: [{url: "http://127.0.0.1:%d"}]
                routes:
                  - id: broken
                    match: {path: /api/**}
                    service: broken
                  - id: drip
                    match: {path: /drip/**}
                    service: drip
                    timeouts: {read: 500ms}
                """.formatted(broken.port(), drip.port()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        drip.close();
        broken.close();
    }

    private static void assertBadGateway(String path) throws IOException {
        WireResponse r = WireClient.exchange(gateway.port(), "GET", path);
        assertEquals(502, r.status(), path + ": " + r);
        assertEquals("application/problem+json", r.header("Content-Type"), path);
        assertTrue(r.statusLine().endsWith("Bad Gateway"), r.statusLine());
        for (String line : r.headerLines()) {
            assertFalse(line.toLowerCase().startsWith("set-cookie") || line.toLowerCase().startsWith("x-a"),
                    path + " relayed '" + line + "'");
        }
    }

    @Test
    void controlCharactersInHeaderValuesAreABadGateway() throws IOException {
        assertBadGateway("/api/bare-cr");
        assertBadGateway("/api/nul");
        assertBadGateway("/api/ctl");
    }

    @Test
    void controlCharactersInTheReasonPhraseAreABadGateway() throws IOException {
        assertBadGateway("/api/reason-cr");
        assertBadGateway("/api/reason-nul");
    }

    @Test
    void aHeaderNameThatIsNoTokenIsABadGateway() throws IOException {
        assertBadGateway("/api/bad-name");
    }

    @Test
    void tabsAndLatin1TextInValuesAreStillRelayed() throws IOException {
        WireResponse r = WireClient.exchange(gateway.port(), "GET", "/api/fine");
        assertEquals(200, r.status(), r.toString());
        assertEquals("a\tb", r.header("X-Tab"));
        assertEquals("ok", r.bodyText());
    }

    @Test
    void aFewInterimResponsesAreSkipped() throws IOException {
        WireResponse r = WireClient.exchange(gateway.port(), "GET", "/api/early-hints");
        assertEquals(200, r.status(), r.toString());
        assertEquals("ok", r.bodyText());
    }

    @Test
    void endlessInterimResponsesAreCutOffByCount() throws IOException {
        WireResponse r = WireClient.exchange(gateway.port(), "GET", "/api/interim-flood");
        assertEquals(502, r.status(), r.toString());
        assertTrue(r.bodyText().contains("interim responses"), r.bodyText());
    }

    @Test
    void slowInterimResponsesAreCutOffByTheReadTimeout() throws IOException {
        // Each 102 comes well within the 500 ms read timeout; together they never end. Without a bound
        // on the whole wait this request would hang until the client's own guard.
        try (WireClient c = WireClient.connect(gateway.port())) {
            c.readTimeout(Duration.ofSeconds(20));
            c.send(c.head("GET", "/drip/x"));
            WireResponse r = c.readResponse();
            assertEquals(504, r.status(), r.toString());
            assertEquals("application/problem+json", r.header("Content-Type"));
        }
        assertTrue(drip.interimSent.get() > 1, "the upstream sent several interim responses");
    }

    /**
     * An upstream that answers every request with {@code 102 Processing} every 100 ms and never
     * with a final response, until the client goes away. (Pacing a test upstream, not synchronising.)
     */
    static final class InterimDrip implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        private final Thread acceptor;
        final AtomicInteger interimSent = new AtomicInteger();
        private volatile boolean closed;

        InterimDrip() throws IOException {
            acceptor = Thread.ofVirtual().start(this::accept);
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!closed) {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[8192];
                    in.read(buf); // the request head (small, one read on loopback is enough here)
                    OutputStream out = s.getOutputStream();
                    byte[] interim = "HTTP/1.1 102 Processing\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                    while (!closed) {
                        out.write(interim);
                        out.flush();
                        interimSent.incrementAndGet();
                        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                    }
                } catch (IOException e) {
                    // the proxy gave up on us (closed the connection), or we are closing
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            acceptor.interrupt();
            try {
                acceptor.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
