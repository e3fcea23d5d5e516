package io.concierge.edge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;


import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.GeneratedBytes;
import io.concierge.gateway.testing.H2Client;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/1 connection framing at the edge, over raw sockets (issue 12, items 2, 3, 4, 13 and the
 * HTTP/2 limits of 14): every early answer ends the connection instead of reading the body as a
 * request; {@code Connection: close}; no HTTP/2 on the plain port; HTTP/1.0 through edge and
 * gateway; malformed request lines; the SETTINGS the TLS listener announces.
 */
class EdgeFramingTest {
    static final String SMUGGLED = "GET /api/SMUGGLED HTTP/1.1\r\nHost: a\r\n\r\n";
    static final String PASSWORD = "changeit";
    private static final AtomicInteger CLIENTS = new AtomicInteger(1);

    @TempDir
    static Path dir;
    static WireUpstream gateway;
    static EdgeServer edge;

    @BeforeAll
    static void start() throws IOException {
        gateway = WireUpstream.start();
        List<Registration> regs = List.of(
                new Registration("shop-1", "shop", List.of("/api"), "127.0.0.1", gateway.port(), 0, 0L, Map.of()),
                new Registration("dead-1", "dead", List.of("/dead"), "127.0.0.1", WireUpstream.closedPort(), 0, 0L,
                        Map.of()));
        edge = EdgeServer.start(EdgeConfig.parse("edge.yaml", """
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                discovery: {type: static}
                server: {read-timeout: 30s}
                upstream: {timeouts: {connect: 500ms}}
                protection:
                  trusted-proxies: [127.0.0.1/32]
                  ip: {deny: [198.51.100.0/24]}
                  cors: {allowed-origins: "http://localhost:3000"}
                  max-body-size: 1KB
                rate-limits:
                  - {name: one, key: client-ip, limit: 1, window: 1h, mode: local}
                """, k -> null), new StaticDiscovery(regs));
        // 203.0.113.1 has used up its one request: every later one of it is an early 429.
        assertEquals(200, WireClient.exchange(edge.port(), "GET", "/api/first", "X-Forwarded-For: 203.0.113.1")
                .status());
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @BeforeEach
    void forget() {
        gateway.clearRequests();
    }

    /** A client address of its own, so the edge-wide limit of one request does not interfere. */
    static String freshClient() {
        return "X-Forwarded-For: 192.0.2." + CLIENTS.incrementAndGet() % 250;
    }

    static List<Arguments> earlyAnswers() {
        List<Arguments> cases = new ArrayList<>();
        Object[][] paths = {
                {"POST", "/nope", "", 404},
                {"POST", "/dead/x", "", 502},
                {"POST", "/api/x", "X-Forwarded-For: 203.0.113.1", 429},
                {"POST", "/api/x", "X-Forwarded-For: 198.51.100.7", 403},
                {"OPTIONS", "/api/x", "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST", 403},
        };
        for (Object[] p : paths) {
            for (String framing : List.of("content-length", "chunked")) {
                for (boolean expect : List.of(false, true)) {
                    cases.add(Arguments.of(p[0], p[1], p[2], p[3], framing, expect));
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}, {4}, expect-100 {5}")
    @MethodSource("earlyAnswers")
    void anEarlyAnswerNeverLetsTheBodyRunAsARequest(String method, String target, String extra, int status,
                                                   String framing, boolean expect) throws IOException {
        String headers = extra.isEmpty() ? freshClient() : extra;
        exactlyOneAnswer(request(method, target, headers, framing, expect, SMUGGLED), status);
    }

    @ParameterizedTest(name = "{0}, expect-100 {1}")
    @MethodSource("framings")
    void anOversizedBodyIs413AndNeverRead(String framing, boolean expect) throws IOException {
        String body = SMUGGLED + "x".repeat(2000) + SMUGGLED;
        exactlyOneAnswer(request("POST", "/api/big", freshClient(), framing, expect, body), 413);
    }

    static List<Arguments> framings() {
        return List.of(Arguments.of("content-length", false), Arguments.of("content-length", true),
                Arguments.of("chunked", false), Arguments.of("chunked", true));
    }

    @Test
    void anOverlongUriAndOversizedHeadersEndTheConnection() throws IOException {
        exactlyOneAnswer(request("POST", "/api/" + "u".repeat(9000), freshClient(), "content-length", true, SMUGGLED),
                414);
        exactlyOneAnswer(request("POST", "/api/h", freshClient() + "\r\nX-Big: " + "h".repeat(20_000),
                "content-length", true, SMUGGLED), 431);
    }

    @Test
    void connectionCloseEndsTheConnectionAndPipelinedRequestsAreNotServed() throws IOException {
        String client = freshClient();
        try (WireClient c = WireClient.connect(edge.port()).readTimeout(Duration.ofSeconds(20))) {
            c.send("GET /api/first HTTP/1.1\r\nHost: a\r\n" + client + "\r\nConnection: close\r\n\r\n"
                    + "GET /api/second HTTP/1.1\r\nHost: a\r\n\r\n");
            WireResponse r = c.readResponse();
            assertEquals(200, r.status(), r::toString);
            assertEquals("close", r.header("Connection"));
            assertEquals("", c.readUntilClosed());
        }
        assertEquals(List.of("/api/first"), gateway.requests().stream().map(RecordedRequest::target).toList());
    }

    @Test
    void theHttp2PrefaceIsRefusedOnThePlainPort() throws IOException {
        try (WireClient c = WireClient.connect(edge.port()).readTimeout(Duration.ofSeconds(20))) {
            c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            String answer = c.readUntilClosed();
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertTrue(answer.contains("application/problem+json"), answer);
        }
    }

    @Test
    void anH2cUpgradeIsServedAsHttp11() throws IOException {
        try (WireClient c = WireClient.connect(edge.port())) {
            c.send("GET /api/up HTTP/1.1\r\nHost: a\r\n" + freshClient() + "\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
            WireResponse r = c.readResponse();
            assertEquals(200, r.status(), r::toString);
        }
    }

    static List<String> malformedRequestLines() {
        return List.of("THIS IS NOT HTTP\r\n\r\n", "\u0001\u0002garbage\u00ff\r\n\r\n", "GET / HTTP/1.1\n\n",
                "GET /\n\n", "X\r\n\r\n");
    }

    @ParameterizedTest
    @MethodSource("malformedRequestLines")
    void aMalformedRequestLineIs400AndClosedAtOnce(String raw) throws IOException {
        try (WireClient c = WireClient.connect(edge.port()).readTimeout(Duration.ofSeconds(5))) {
            c.send(raw);
            String answer = c.readUntilClosed();
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertTrue(answer.contains("application/problem+json"), answer);
        }
    }

    @Test
    void http10ThroughEdgeAndGatewayGetsAStreamedBodyWithoutChunks() throws Exception {
        try (WireUpstream service = WireUpstream.start();
             GatewayServer gw = TestGateways.startOneRoute(service.port());
             EdgeServer e = EdgeServer.start(EdgeConfig.parse("edge-10.yaml", """
                     listen: {host: 127.0.0.1, port: 0}
                     admin: {host: 127.0.0.1, port: 0}
                     discovery: {type: static}
                     """, k -> null), new StaticDiscovery(List.of(new Registration("test-1", "test",
                     List.of("/api"), "127.0.0.1", gw.port(), 0, 0L, Map.of()))));
             WireClient c = WireClient.connect(e.port()).readTimeout(Duration.ofSeconds(20))) {
            // As nginx asks by default: HTTP/1.0, no Host requirement, a body of unknown length.
            c.send("GET /api/chunked/300000 HTTP/1.0\r\nUser-Agent: nginx-like\r\n\r\n");
            String answer = c.readUntilClosed();
            int split = answer.indexOf("\r\n\r\n");
            String head = answer.substring(0, Math.max(0, split)).toLowerCase();
            assertTrue(head.startsWith("http/1.1 200 "), answer.substring(0, Math.min(300, answer.length())));
            assertFalse(head.contains("transfer-encoding"), head);
            assertTrue(head.contains("\r\nconnection: close"), head);
            byte[] body = answer.substring(split + 4).getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(GeneratedBytes.sha256(300_000), GeneratedBytes.sha256(body));
        }
    }

    @Test
    void theTlsListenerAnnouncesTheConfiguredHttp2Limits() throws Exception {
        Path ks = keystore("h2.p12");
        try (EdgeServer e = EdgeServer.start(EdgeConfig.parse("edge-h2.yaml", """
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                discovery: {type: static}
                server:
                  http2: {max-concurrent-streams: 33, max-header-list-size: 12345, initial-window-size: 70000,
                          max-frame-size: 32768}
                protection:
                  tls: {port: 0, keystore: %s, keystore-password: %s}
                """.formatted(ks, PASSWORD), k -> null), new StaticDiscovery(List.of()))) {
            Map<Integer, Long> s = H2Settings.read(e.tlsPort(), ks);
            assertEquals(33L, s.get(H2Settings.MAX_CONCURRENT_STREAMS), s::toString);
            assertEquals(12345L, s.get(H2Settings.MAX_HEADER_LIST_SIZE), s::toString);
            assertEquals(70000L, s.get(H2Settings.INITIAL_WINDOW_SIZE), s::toString);
            assertEquals(32768L, s.get(H2Settings.MAX_FRAME_SIZE), s::toString);
        }
    }

    @Test
    void theTlsListenerAnnouncesDeliberateDefaults() throws Exception {
        Path ks = keystore("h2-defaults.p12");
        try (EdgeServer e = EdgeServer.start(EdgeConfig.parse("edge-h2.yaml", """
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                discovery: {type: static}
                protection:
                  tls: {port: 0, keystore: %s, keystore-password: %s}
                """.formatted(ks, PASSWORD), k -> null), new StaticDiscovery(List.of()))) {
            Map<Integer, Long> s = H2Settings.read(e.tlsPort(), ks);
            assertEquals(100L, s.get(H2Settings.MAX_CONCURRENT_STREAMS), s::toString);
            assertEquals(16384L, s.get(H2Settings.MAX_HEADER_LIST_SIZE), s::toString);
            // RFC 9113's defaults need not be sent: absent means 65535 and 16384.
            assertEquals(65535L, s.getOrDefault(H2Settings.INITIAL_WINDOW_SIZE, 65535L), s::toString);
            assertEquals(16384L, s.getOrDefault(H2Settings.MAX_FRAME_SIZE, 16384L), s::toString);
        }
    }

    static String request(String method, String target, String headerLines, String framing, boolean expect,
                          String body) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: a\r\n").append(headerLines).append("\r\n");
        if (expect) {
            sb.append("Expect: 100-continue\r\n");
        }
        if (framing.equals("chunked")) {
            sb.append("Transfer-Encoding: chunked\r\n\r\n")
                    .append(Integer.toHexString(body.length())).append("\r\n").append(body).append("\r\n0\r\n\r\n");
        } else {
            sb.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
        }
        return sb.toString();
    }

    /** One answer with {@code status}, the connection then ends, and nothing smuggled reached the gateway. */
    static void exactlyOneAnswer(String raw, int status) throws IOException {
        try (WireClient c = WireClient.connect(edge.port()).readTimeout(Duration.ofSeconds(20))) {
            c.send(raw);
            WireResponse r = c.readResponse();
            if (r.status() == 100) {
                r = c.readResponse();
            }
            assertEquals(status, r.status(), r::toString);
            assertEquals("close", r.header("Connection"), r::toString);
            assertEquals("", c.readUntilClosed(), "a second answer on the connection");
        }
        for (RecordedRequest seen : gateway.requests()) {
            assertFalse(seen.target().contains("SMUGGLED"), "smuggled through: " + seen);
        }
    }

    static Path keystore(String name) throws IOException, InterruptedException {
        return EdgeTlsTest.keystore(dir, name, "h2");
    }

    /** The server's first SETTINGS frame over TLS with ALPN h2 ({@link H2Client}), by identifier. */
    static final class H2Settings {
        static final int MAX_CONCURRENT_STREAMS = 3;
        static final int INITIAL_WINDOW_SIZE = 4;
        static final int MAX_FRAME_SIZE = 5;
        static final int MAX_HEADER_LIST_SIZE = 6;

        private H2Settings() {
        }

        static Map<Integer, Long> read(int port, Path keystore) throws Exception {
            try (H2Client c = H2Client.connectTls(port, EdgeTlsTest.trusting(keystore))) {
                return c.serverSettings();
            }
        }
    }
}
