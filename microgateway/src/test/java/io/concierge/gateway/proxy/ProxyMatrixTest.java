package io.concierge.gateway.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Framing;
import io.concierge.gateway.testing.GeneratedBytes;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the proxy puts on the wire, in both directions, seen byte for byte by a raw-socket upstream
 * and a raw-socket client: methods, body framing and content up to 200 MB, the request target,
 * repeated and hop-by-hop headers, forwarding headers, Via and the request id.
 */
class ProxyMatrixTest {
    private static final long MB = 1024 * 1024;
    private static final Pattern GENERATED_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private static WireUpstream upstream;
    private static GatewayServer gateway;
    private static int port;

    @BeforeAll
    static void start() {
        upstream = WireUpstream.start();
        gateway = TestGateways.startOneRoute(upstream.port());
        port = gateway.port();
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

    // ---- methods --------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
    void everyMethodIsForwardedWithItsRequestLineUnchanged(String method) throws IOException {
        try (WireClient client = WireClient.connect(port)) {
            client.send(client.head(method, "/api/methods/x?q=1"));
            WireResponse response = method.equals("HEAD") ? client.readHeadResponse() : client.readResponse();

            assertEquals(200, response.status(), response::toString);
            RecordedRequest seen = upstream.lastRequest();
            assertEquals(method + " /api/methods/x?q=1 HTTP/1.1", seen.requestLine());
            boolean bodyMethod = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
            // A request without a body keeps having none; methods that normally carry one get an
            // explicit empty one, so the upstream never waits for a body that will not come.
            assertEquals(bodyMethod ? Framing.CONTENT_LENGTH : Framing.NONE, seen.framing(), seen::toString);
            assertEquals(0, seen.bodyBytes());
            if (method.equals("HEAD")) {
                // The length the GET would have had, and not a byte of body.
                assertEquals(String.valueOf(seen.toJson().length), response.header("Content-Length"));
                assertEquals(0, response.bodyLength());
            }

            // The same connection still frames the next exchange correctly (a stray HEAD body
            // or a missing one would show up here).
            client.send(client.head("GET", "/api/methods/after"));
            WireResponse next = client.readResponse();
            assertEquals(200, next.status());
            assertEquals("/api/methods/after", next.json().get("target").asText());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
    void aSmallBodyOfEveryMethodArrivesIntact(String method) throws IOException {
        byte[] body = GeneratedBytes.array(1000);
        try (WireClient client = WireClient.connect(port)) {
            client.send(client.head(method, "/api/body", "Content-Type: application/octet-stream",
                    "Content-Length: " + body.length));
            client.send(body);
            assertEquals(200, client.readResponse().status());
        }
        RecordedRequest seen = upstream.lastRequest();
        assertEquals(Framing.CONTENT_LENGTH, seen.framing());
        assertEquals(1000, seen.contentLength());
        assertEquals(GeneratedBytes.sha256(body), seen.bodySha256());
        assertEquals("application/octet-stream", seen.header("Content-Type"));
    }

    // ---- bodies, streamed ----------------------------------------------------------------

    @Test
    void theHeapIsBoundedSoLargeBodiesProveStreaming() {
        // The 200 MB cases below only prove streaming if the whole JVM (client, gateway and
        // upstream) could not hold a body even once.
        assertTrue(Runtime.getRuntime().maxMemory() <= 600 * MB,
                "run with -Xmx512m (surefire's argLine); max heap is " + Runtime.getRuntime().maxMemory() / MB + " MB");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, MB, 200 * MB})
    void uploadWithContentLengthArrivesWithTheSameContentLengthNotChunked(long size) throws IOException {
        WireResponse response;
        try (WireClient client = WireClient.connect(port)) {
            client.send(client.head("PUT", "/api/upload", "Content-Length: " + size));
            OutputStream out = client.output();
            GeneratedBytes.writeTo(out, size);
            out.flush();
            response = client.readResponse();
        }
        assertEquals(200, response.status(), response::toString);
        RecordedRequest seen = upstream.lastRequest();
        assertEquals(Framing.CONTENT_LENGTH, seen.framing(), "a known length must not be turned into chunks");
        assertEquals(List.of(String.valueOf(size)), seen.headers("Content-Length"));
        assertFalse(seen.hasHeader("Transfer-Encoding"));
        assertEquals(size, seen.bodyBytes());
        assertEquals(GeneratedBytes.sha256(size), seen.bodySha256());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, MB, 200 * MB})
    void chunkedUploadArrivesChunkedWithTheSameBytes(long size) throws IOException {
        WireResponse response;
        try (WireClient client = WireClient.connect(port)) {
            client.send(client.head("POST", "/api/upload", "Transfer-Encoding: chunked"));
            OutputStream out = client.output();
            byte[] buf = new byte[70_001];
            long position = 0;
            while (position < size) {
                int n = (int) Math.min(position % 2 == 0 ? buf.length : 333, size - position);
                GeneratedBytes.fill(buf, 0, n, position);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(buf, 0, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                position += n;
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            response = client.readResponse();
        }
        assertEquals(200, response.status(), response::toString);
        RecordedRequest seen = upstream.lastRequest();
        assertEquals(Framing.CHUNKED, seen.framing());
        assertFalse(seen.hasHeader("Content-Length"));
        assertEquals(size, seen.bodyBytes());
        assertEquals(GeneratedBytes.sha256(size), seen.bodySha256());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, MB, 200 * MB})
    void downloadWithContentLengthIsRelayedWithTheSameLengthAndBytes(long size) throws IOException {
        WireResponse response = WireClient.exchange(port, "GET", "/api/fixed/" + size);

        assertEquals(200, response.status(), response::toString);
        assertEquals(Framing.CONTENT_LENGTH, response.framing());
        assertEquals(String.valueOf(size), response.header("Content-Length"));
        assertEquals(size, response.bodyLength());
        assertEquals(GeneratedBytes.sha256(size), response.bodySha256());
    }

    @ParameterizedTest
    @ValueSource(longs = {MB, 200 * MB})
    void chunkedDownloadIsRelayedChunkedWithTheSameBytes(long size) throws IOException {
        WireResponse response = WireClient.exchange(port, "GET", "/api/chunked/" + size);

        assertEquals(200, response.status(), response::toString);
        assertEquals(Framing.CHUNKED, response.framing());
        assertNull(response.header("Content-Length"));
        assertEquals(size, response.bodyLength());
        assertEquals(GeneratedBytes.sha256(size), response.bodySha256());
    }

    @Test
    void anEmptyChunkedDownloadIsAnEmptyBody() throws IOException {
        try (WireClient client = WireClient.connect(port)) {
            client.send(client.head("GET", "/api/chunked/0"));
            WireResponse response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals(0, response.bodyLength());
            client.send(client.head("GET", "/api/fixed/3"));
            assertEquals(3, client.readResponse().bodyLength());
        }
    }

    @Test
    void headOfAChunkedResourceSendsNoBodyAndKeepsTheConnectionInStep() throws IOException {
        try (WireClient client = WireClient.connect(port)) {
            client.send(client.head("HEAD", "/api/chunked/5000"));
            assertEquals(200, client.readHeadResponse().status());
            client.send(client.head("GET", "/api/fixed/7"));
            WireResponse next = client.readResponse();
            assertEquals(200, next.status());
            assertEquals(GeneratedBytes.sha256(7), next.bodySha256());
        }
    }

    // ---- the request target ---------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "/api/x?b=2&a=1&a=%20x&c=%2F&empty=&flag",
            "/api/%252e%252e/x",
            "/api/caf%C3%A9/%7Euser;v=1",
            "/api/a+b/@x:y!$&'()*,;=",
            "/api/Mixed/CaSe/%2a%2A",
            "/api/trailing/",
            "/api/q?x=a%2Bb+c&euro=%E2%82%AC&json=%7B%22k%22%3A1%7D",
            "/api/q?a=1?b=2/c"})
    void theRequestTargetIsForwardedByteForByte(String target) throws IOException {
        WireResponse response = WireClient.exchange(port, "GET", target);

        assertEquals(200, response.status(), response::toString);
        assertEquals("GET " + target + " HTTP/1.1", upstream.lastRequest().requestLine());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/x/a%2Fb", "/api/x/a%2fb", "/api/x/a%5Cb"})
    void anEncodedSlashIsRefusedByDefault(String target) throws IOException {
        WireResponse response = WireClient.exchange(port, "GET", target);

        assertEquals(400, response.status());
        assertEquals("application/problem+json", response.header("Content-Type"));
        assertEquals("encoded '/' or '\\' is not allowed in the path", response.json().get("detail").asText());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void anEncodedSlashIsForwardedAsSentWhenAllowed() throws IOException {
        try (GatewayServer permissive = TestGateways.start(
                TestGateways.oneRouteYaml("allow-encoded-slash: true", "", upstream.port()))) {
            for (String target : List.of("/api/x/a%2Fb?p=%2F", "/api/x/a%5Cb", "/api/x/%2f%2F")) {
                WireResponse response = WireClient.exchange(permissive.port(), "GET", target);
                assertEquals(200, response.status(), response::toString);
                assertEquals("GET " + target + " HTTP/1.1", upstream.lastRequest().requestLine());
            }
        }
    }

    // ---- headers --------------------------------------------------------------------------

    @Test
    void repeatedRequestHeadersArriveAsSeparateLinesInOrder() throws IOException {
        WireClient.exchange(port, "GET", "/api/h", "X-Multi: first", "X-Multi: second", "X-List: a, b",
                "x-lower-case: v");

        RecordedRequest seen = upstream.lastRequest();
        assertEquals(List.of("first", "second"), seen.headers("X-Multi"));
        assertTrue(seen.headerLines().contains("X-Multi: first"), seen::toString);
        assertEquals(List.of("a, b"), seen.headers("X-List"), "a list value stays one line, unsplit");
        assertTrue(seen.headerLines().contains("x-lower-case: v"), "the name's case is kept");
    }

    @Test
    void hopByHopRequestHeadersAreNotForwarded() throws IOException {
        WireClient.exchange(port, "GET", "/api/hop",
                "Connection: keep-alive, X-Drop-Me",
                "X-Drop-Me: 1",
                "Keep-Alive: timeout=5",
                "TE: trailers",
                "Trailer: X-Checksum",
                "Upgrade: websocket",
                "Proxy-Authorization: Basic dXNlcjpwYXNz",
                "Proxy-Connection: keep-alive",
                "X-Keep-Me: 1");

        List<String> names = upstream.lastRequest().headerNames();
        for (String dropped : List.of("connection", "x-drop-me", "keep-alive", "te", "trailer", "upgrade",
                "proxy-authorization", "proxy-connection")) {
            assertFalse(names.contains(dropped), dropped + " was forwarded: " + names);
        }
        assertTrue(names.contains("x-keep-me"), names::toString);
    }

    @Test
    void hopByHopResponseHeadersAreDroppedAndRepeatedSetCookieKept() throws IOException {
        WireResponse response = WireClient.exchange(port, "GET", "/api/hop-by-hop");

        assertEquals(200, response.status());
        for (String dropped : List.of("Keep-Alive", "X-Upstream-Private", "Proxy-Authenticate", "Proxy-Connection",
                "Trailer", "Upgrade")) {
            assertNull(response.header(dropped), dropped + " was relayed: " + response);
        }
        for (String connection : response.headers("Connection")) {
            assertFalse(connection.toLowerCase().contains("x-upstream-private"), response::toString);
        }
        assertEquals(List.of("a=1; Path=/", "b=2; Path=/; HttpOnly"), response.headers("Set-Cookie"));
        assertEquals("kept", response.header("X-End-To-End"));
        assertEquals("hop", response.bodyText());
    }

    @Test
    void forwardingHeadersAreAppendedToWhatTheClientSent() throws IOException {
        try (WireClient client = WireClient.connect(port)) {
            client.send("GET /api/fwd HTTP/1.1\r\n"
                    + "Host: gw.example:8080\r\n"
                    + "X-Forwarded-For: 203.0.113.7\r\n"
                    + "X-Forwarded-Proto: https\r\n"
                    + "X-Forwarded-Host: shop.example\r\n"
                    + "Forwarded: for=203.0.113.7;proto=https\r\n"
                    + "Via: 1.1 edge\r\n"
                    + "\r\n");
            WireResponse response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals("1.1 concierge-test", response.header("Via"));
        }
        RecordedRequest seen = upstream.lastRequest();
        assertEquals(List.of("203.0.113.7, 127.0.0.1"), seen.headers("X-Forwarded-For"));
        assertEquals(List.of("https, http"), seen.headers("X-Forwarded-Proto"));
        assertEquals(List.of("shop.example, gw.example:8080"), seen.headers("X-Forwarded-Host"));
        assertEquals(List.of("for=203.0.113.7;proto=https, for=127.0.0.1;proto=http;host=\"gw.example:8080\""),
                seen.headers("Forwarded"));
        assertEquals(List.of("1.1 edge, 1.1 concierge-test"), seen.headers("Via"));
        assertEquals(List.of("127.0.0.1:" + upstream.port()), seen.headers("Host"));
    }

    @Test
    void forwardingHeadersAreCreatedWhenAbsent() throws IOException {
        WireClient.exchange(port, "GET", "/api/fwd");

        RecordedRequest seen = upstream.lastRequest();
        assertEquals(List.of("127.0.0.1"), seen.headers("X-Forwarded-For"));
        assertEquals(List.of("http"), seen.headers("X-Forwarded-Proto"));
        assertEquals(List.of("127.0.0.1:" + port), seen.headers("X-Forwarded-Host"));
        assertEquals(List.of("for=127.0.0.1;proto=http;host=\"127.0.0.1:" + port + "\""), seen.headers("Forwarded"));
        assertEquals(List.of("1.1 concierge-test"), seen.headers("Via"));
    }

    @Test
    void viaIsAppendedOnTheResponse() throws IOException {
        WireResponse response = WireClient.exchange(port, "GET", "/api/hop-by-hop");
        assertEquals(List.of("1.1 upstream-proxy, 1.1 concierge-test"), response.headers("Via"));
    }

    // ---- request id -----------------------------------------------------------------------

    @Test
    void aSaneRequestIdIsPropagatedBothWays() throws IOException {
        String id = "order-42_retry.1:a+b=c/d";
        WireResponse response = WireClient.exchange(port, "GET", "/api/rid", "X-Request-Id: " + id);

        assertEquals(List.of(id), response.headers("X-Request-Id"));
        assertEquals(List.of(id), upstream.lastRequest().headers("X-Request-Id"));
    }

    @Test
    void aMissingRequestIdIsGeneratedAndSentBothWays() throws IOException {
        WireResponse response = WireClient.exchange(port, "GET", "/api/rid");

        String id = response.header("X-Request-Id");
        assertTrue(id != null && GENERATED_ID.matcher(id).matches(), response::toString);
        assertEquals(List.of(id), upstream.lastRequest().headers("X-Request-Id"));
    }

    static List<String> insaneRequestIds() {
        return List.of("has space", "quote\"d", "<script>", "semi;colon", "comma,separated", "0123456789".repeat(30));
    }

    @ParameterizedTest
    @MethodSource("insaneRequestIds")
    void anInsaneRequestIdIsReplacedNotEchoed(String insane) throws IOException {
        WireResponse response = WireClient.exchange(port, "GET", "/api/rid", "X-Request-Id: " + insane);

        String id = response.header("X-Request-Id");
        assertNotEquals(insane, id);
        assertTrue(GENERATED_ID.matcher(id).matches(), id);
        assertEquals(List.of(id), upstream.lastRequest().headers("X-Request-Id"), "exactly one id goes upstream");
    }

    @Test
    void twoRequestIdsAreReplacedByOne() throws IOException {
        WireResponse response = WireClient.exchange(port, "GET", "/api/rid", "X-Request-Id: a", "X-Request-Id: b");

        String id = response.header("X-Request-Id");
        assertTrue(GENERATED_ID.matcher(id).matches(), id);
        assertEquals(List.of(id), upstream.lastRequest().headers("X-Request-Id"));
    }

    @Test
    void anUpstreamsOwnRequestIdDoesNotReplaceTheGatewaysOne() throws IOException {
        upstream.respondWith(r -> UpstreamReply.text(200, "ok").header("X-Request-Id", "upstream-made"));
        try {
            WireResponse response = WireClient.exchange(port, "GET", "/api/rid", "X-Request-Id: mine");
            assertEquals(List.of("mine"), response.headers("X-Request-Id"));
        } finally {
            upstream.respondWith(WireUpstream.standard());
        }
    }

    @Test
    void errorResponsesCarryTheRequestIdInHeaderAndBody() throws IOException {
        WireResponse sane = WireClient.exchange(port, "GET", "/nowhere", "X-Request-Id: err-1");
        assertEquals(404, sane.status());
        assertEquals("err-1", sane.header("X-Request-Id"));
        assertEquals("err-1", sane.json().get("requestId").asText());

        WireResponse generated = WireClient.exchange(port, "GET", "/api/..", "X-Request-Id: bad id");
        assertEquals(400, generated.status());
        String id = generated.header("X-Request-Id");
        assertTrue(GENERATED_ID.matcher(id).matches(), id);
        assertEquals(id, generated.json().get("requestId").asText());
    }
}
