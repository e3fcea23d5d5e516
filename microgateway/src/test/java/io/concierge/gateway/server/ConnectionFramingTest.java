package io.concierge.gateway.server;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.concierge.gateway.testing.GeneratedBytes;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/1 connection framing at a gateway, over raw sockets (issue 12, items 2, 3, 4 and 13): an
 * answer given before the body was read never lets that body be read as a request;
 * {@code Connection: close} ends the connection; no HTTP/2 on the plain listener unless
 * {@code listen.h2c}; HTTP/1.0, chunk extensions and malformed request lines.
 */
class ConnectionFramingTest {
    /** Sent as the body of a refused request: if it is ever parsed, the upstream sees it. */
    static final String SMUGGLED = "GET /api/open/SMUGGLED HTTP/1.1\r\nHost: a\r\n\r\n";

    private static WireUpstream upstream;
    private static GatewayServer gateway;

    @BeforeAll
    static void start() {
        upstream = WireUpstream.start();
        gateway = TestGateways.start("""
                domain: test
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                server: {read-timeout: 30s}
                security:
                  default-access: authenticated
                  trusted-proxies: [127.0.0.1]
                  jwt:
                    issuers:
                      t: {issuer: t, algorithms: [HS256], secret: framing-test-secret-0123456789abcdef}
                services:
                  up:
                    instances: [{url: "http://127.0.0.1:%d"}]
                  dead:
                    instances: [{url: "http://127.0.0.1:%d"}]
                    resilience: {retry: {attempts: 1}}
                routes:
                  - id: open
                    match: {path: "/api/open/**"}
                    service: up
                    auth: {access: public}
                  - id: get-only
                    match: {path: "/api/get-only", methods: [GET]}
                    service: up
                    auth: {access: public}
                  - id: jwt
                    match: {path: "/api/jwt/**"}
                    service: up
                  - id: denied
                    match: {path: "/api/denied/**"}
                    service: up
                    auth: {access: public}
                    ip: {deny: [127.0.0.0/8]}
                  - id: limited
                    match: {path: "/api/limited/**"}
                    service: up
                    auth: {access: public}
                    rate-limits:
                      - {name: one, key: client-ip, limit: 1, window: 1h, mode: local}
                  - id: dead
                    match: {path: "/api/dead/**"}
                    service: dead
                    auth: {access: public}
                """.formatted(upstream.port(), WireUpstream.closedPort()));
        // Use up the one request of the rate-limited route, so every later one is an early 429.
        try {
            assertEquals(200, WireClient.exchange(gateway.port(), "GET", "/api/limited/first").status());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @BeforeEach
    void forget() {
        upstream.clearRequests();
    }

    /** Each way a gateway answers before reading a body, with the status it answers. */
    static List<Arguments> earlyAnswers() {
        List<Arguments> cases = new ArrayList<>();
        Object[][] paths = {
                {"POST", "/nope", 404},
                {"POST", "/api/get-only", 405},
                {"POST", "/api/jwt/x", 401},
                {"POST", "/api/denied/x", 403},
                {"POST", "/api/limited/x", 429},
                {"POST", "/api/dead/x", 502},
        };
        for (Object[] p : paths) {
            for (String framing : List.of("content-length", "chunked")) {
                for (boolean expect : List.of(false, true)) {
                    cases.add(Arguments.of(p[0], p[1], p[2], framing, expect));
                }
            }
        }
        return cases;
    }

    /** A request whose body is itself a complete request, framed as asked. */
    static String withSmuggledBody(String method, String target, String framing, boolean expect) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: a\r\n");
        if (expect) {
            sb.append("Expect: 100-continue\r\n");
        }
        if (framing.equals("chunked")) {
            sb.append("Transfer-Encoding: chunked\r\n\r\n")
                    .append(Integer.toHexString(SMUGGLED.length())).append("\r\n").append(SMUGGLED).append("\r\n0\r\n\r\n");
        } else {
            sb.append("Content-Length: ").append(SMUGGLED.length()).append("\r\n\r\n").append(SMUGGLED);
        }
        return sb.toString();
    }

    /** Asserts one answer with {@code status}, then the end of the connection, and nothing smuggled upstream. */
    static void exactlyOneAnswer(int port, String raw, int status, WireUpstream upstream) throws IOException {
        try (WireClient c = WireClient.connect(port).readTimeout(Duration.ofSeconds(20))) {
            c.send(raw);
            WireResponse r = c.readResponse();
            if (r.status() == 100) {
                r = c.readResponse();
            }
            assertEquals(status, r.status(), r::toString);
            assertEquals("close", r.header("Connection"), r::toString);
            assertEquals("", c.readUntilClosed(), "a second answer on the connection");
        }
        for (RecordedRequest seen : upstream.requests()) {
            assertFalse(seen.target().contains("SMUGGLED"), "smuggled through: " + seen);
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {2}, {3}, expect-100 {4}")
    @MethodSource("earlyAnswers")
    void anEarlyAnswerNeverLetsTheBodyRunAsARequest(String method, String target, int status, String framing,
                                                   boolean expect) throws IOException {
        exactlyOneAnswer(gateway.port(), withSmuggledBody(method, target, framing, expect), status, upstream);
    }

    @Test
    void aFullyReadBodyKeepsTheConnection() throws IOException {
        try (WireClient c = WireClient.connect(gateway.port())) {
            c.send("POST /api/open/a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
            WireResponse r = c.readResponse();
            assertEquals(200, r.status(), r::toString);
            assertFalse("close".equals(r.header("Connection")), r::toString);
            c.send("GET /api/open/b HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, c.readResponse().status());
        }
    }

    @Test
    void connectionCloseEndsTheConnectionAndPipelinedRequestsAreNotServed() throws IOException {
        try (WireClient c = WireClient.connect(gateway.port()).readTimeout(Duration.ofSeconds(20))) {
            c.send("GET /api/open/first HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    + "GET /api/open/second HTTP/1.1\r\nHost: a\r\n\r\n");
            WireResponse r = c.readResponse();
            assertEquals(200, r.status(), r::toString);
            assertEquals("close", r.header("Connection"));
            // Closed at once (well within the 30s read timeout), with nothing more on it.
            assertEquals("", c.readUntilClosed());
        }
        assertEquals(List.of("/api/open/first"), upstream.requests().stream().map(RecordedRequest::target).toList());
    }

    @Test
    void connectionCloseWithABodyEndsTheConnectionToo() throws IOException {
        exactlyOneAnswer(gateway.port(), "POST /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: "
                + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED, 404, upstream);
    }

    @Test
    void theHttp2PrefaceIsRefusedWithoutSettings() throws IOException {
        try (WireClient c = WireClient.connect(gateway.port()).readTimeout(Duration.ofSeconds(20))) {
            c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            String answer = c.readUntilClosed();
            // An HTTP/2 server would answer with a binary SETTINGS frame; this is HTTP/1 text.
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertTrue(answer.contains("application/problem+json"), answer);
        }
    }

    @Test
    void theAdminListenerRefusesTheHttp2PrefaceToo() throws IOException {
        try (Socket s = new Socket("127.0.0.1", gateway.adminPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertFalse(answer.length() >= 9 && answer.charAt(3) == 4, "an HTTP/2 SETTINGS frame: " + answer);
        }
    }

    @Test
    void anH2cUpgradeIsServedAsHttp11() throws IOException {
        try (WireClient c = WireClient.connect(gateway.port())) {
            c.send("GET /api/open/up HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                    + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
            WireResponse r = c.readResponse();
            assertEquals(200, r.status(), r::toString);
        }
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void withH2cConfiguredThePrefaceGetsHttp2Settings() throws Exception {
        String yaml = TestGateways.oneRouteYaml("", "", upstream.port()).replace(
                "listen: {host: 127.0.0.1, port: 0}", "listen: {host: 127.0.0.1, port: 0, h2c: true}");
        try (GatewayServer g = TestGateways.start(yaml); Socket s = new Socket("127.0.0.1", g.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] frameHeader = s.getInputStream().readNBytes(9);
            assertEquals(9, frameHeader.length, "no frame");
            assertEquals(4, frameHeader[3], "the first frame is SETTINGS");
        }
    }

    @Test
    void anHttp10RequestGetsAnHttp10AnswerAndTheConnectionCloses() throws IOException {
        try (WireClient c = WireClient.connect(gateway.port()).readTimeout(Duration.ofSeconds(20))) {
            c.send("GET /api/open/ten HTTP/1.0\r\n\r\n");
            String answer = c.readUntilClosed();
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            assertFalse(answer.toLowerCase().contains("transfer-encoding"), answer);
            assertTrue(answer.toLowerCase().contains("\r\nconnection: close\r\n"), answer);
        }
        assertEquals("/api/open/ten", upstream.lastRequest().target());
    }

    @Test
    void anHttp10RequestWithKeepAliveGetsItsAnswerAndAClose() throws IOException {
        try (WireClient c = WireClient.connect(gateway.port()).readTimeout(Duration.ofSeconds(20))) {
            c.send("GET /api/open/ten HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n");
            String answer = c.readUntilClosed();
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        }
    }

    @Test
    void aStreamedAnswerToHttp10IsNotChunked() throws IOException {
        try (WireClient c = WireClient.connect(gateway.port()).readTimeout(Duration.ofSeconds(20))) {
            // The upstream streams 200000 bytes chunked; the gateway cannot know the length up front.
            c.send("GET /api/open/chunked/200000 HTTP/1.0\r\n\r\n");
            String answer = c.readUntilClosed();
            int split = answer.indexOf("\r\n\r\n");
            String head = answer.substring(0, split).toLowerCase();
            assertTrue(head.startsWith("http/1.1 200 "), head);
            assertFalse(head.contains("transfer-encoding"), head);
            assertFalse(head.contains("content-length"), head);
            byte[] body = answer.substring(split + 4).getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(GeneratedBytes.sha256(200000), GeneratedBytes.sha256(body));
        }
    }

    @Test
    void anHttp10RequestWithTransferEncodingIsRefused() throws IOException {
        try (WireClient c = WireClient.connect(gateway.port()).readTimeout(Duration.ofSeconds(20))) {
            c.send("POST /api/open/te HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
            WireResponse r = c.readResponse();
            assertEquals(400, r.status(), r::toString);
        }
        assertEquals(0, upstream.requestCount());
    }

    static List<String> chunkExtensions() {
        return List.of("5;a=b", "5;a", "5 ; a = b", "5;a=\"quoted; value\"", "5;a=b;c=\"d\\\"e\"");
    }

    @ParameterizedTest
    @MethodSource("chunkExtensions")
    void validChunkExtensionsAreIgnored(String sizeLine) throws IOException {
        try (WireClient c = WireClient.connect(gateway.port())) {
            c.send("POST /api/open/ext HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + sizeLine + "\r\nhello\r\n0\r\n\r\n");
            WireResponse r = c.readResponse();
            assertEquals(200, r.status(), r::toString);
        }
        assertEquals("hello", upstream.lastRequest().bodyText());
    }

    @ParameterizedTest
    @MethodSource("malformedChunkExtensions")
    void malformedChunkExtensionsAre400(String sizeLine) throws IOException {
        try (WireClient c = WireClient.connect(gateway.port()).readTimeout(Duration.ofSeconds(20))) {
            c.send("POST /api/open/ext HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + sizeLine + "\r\nhello\r\n0\r\n\r\n");
            WireResponse r = c.readResponse();
            assertEquals(400, r.status(), r::toString);
            assertEquals("", c.readUntilClosed());
        }
    }

    static List<String> malformedChunkExtensions() {
        return List.of("5;", "5;=b", "5;a=", "5;a=\"open", "5;a b");
    }

    static List<String> malformedRequestLines() {
        return List.of("THIS IS NOT HTTP\r\n\r\n", "\u0001\u0002garbage\u00ff\r\n\r\n", "GET / HTTP/1.1\n\n",
                "GET /\n\n", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u00fc\u0003\u0003 TLS hello\r\n\r\n");
    }

    @ParameterizedTest
    @MethodSource("malformedRequestLines")
    void aMalformedRequestLineIs400AndClosedAtOnce(String raw) throws IOException {
        malformedRequestLineIs400(gateway.port(), raw);
    }

    /** 400 problem, then the end of the connection, well before any timeout (5s guard, 30s read timeout). */
    static void malformedRequestLineIs400(int port, String raw) throws IOException {
        try (WireClient c = WireClient.connect(port).readTimeout(Duration.ofSeconds(5))) {
            c.send(raw);
            String answer = c.readUntilClosed();
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertTrue(answer.contains("application/problem+json"), answer);
        }
    }
}
