package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Framing;
import io.concierge.gateway.testing.H2Client;
import io.concierge.gateway.testing.H2Client.H2Frames;
import io.concierge.gateway.testing.H2Response;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireUpstream;

/**
 * What HTTP/2 clients can make the proxy write into an HTTP/1.1 upstream head (issue 12, items 1,
 * 5, 9 and 11), over raw frames from {@link H2Client}: at a gateway alone over h2c, and at the edge
 * through its TLS port (ALPN h2). The upstream of each is a {@link WireUpstream} that records every
 * byte; for the edge it stands in for the domain gateway.
 *
 * <p>Injection attempts (CR LF plus a second request in a header value, in the query of
 * {@code :path}, in {@code host}, in {@code :authority}; NUL) must get a 400 problem and put nothing
 * at all on the upstream connection.
 */
class H2SmugglingTest {
    private static final String SMUGGLED = "\r\n\r\nPOST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
            + "X-Forwarded-For: 6.6.6.6\r\nContent-Length: 0\r\n\r\n";

    @TempDir
    static Path dir;
    static final Resources resources = new Resources();
    static WireUpstream service;
    static WireUpstream fakeGateway;
    static GatewayServer gateway;
    static EdgeServer edge;
    static SSLContext tls;

    @BeforeAll
    static void start() throws Exception {
        service = resources.track(WireUpstream.start(WireUpstream.echo()));
        fakeGateway = resources.track(WireUpstream.start(WireUpstream.echo()));
        gateway = resources.track(gatewayWithH2c(service.port()));
        Path ks = EdgeTlsTest.keystore(dir, "h2.p12", "h2-edge");
        tls = EdgeTlsTest.trusting(ks);
        List<Registration> regs = List.of(new Registration("shop-1", "shop", List.of("/api"), "127.0.0.1",
                fakeGateway.port(), 0, 0L, Map.of()));
        edge = resources.track(EdgeServer.start(EdgeConfig.parse("edge-h2.yaml", """
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                discovery: {type: static}
                protection:
                  tls: {port: 0, keystore: %s, keystore-password: %s}
                """.formatted(ks, EdgeTlsTest.PASSWORD), k -> null), new StaticDiscovery(regs)));
    }

    /**
     * The one place gateways of this test are made. h2c: the gateway's plain listener speaks HTTP/2
     * with prior knowledge only with {@code listen.h2c: true} (off by default).
     */
    static GatewayServer gatewayWithH2c(int upstreamPort) {
        return TestGateways.start("""
                domain: test
                listen: {host: 127.0.0.1, port: 0, h2c: true}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                services:
                  backend:
                    instances: [{url: "http://127.0.0.1:%d"}]
                routes:
                  - id: all
                    match: {path: /api/**}
                    service: backend
                """.formatted(upstreamPort));
    }

    @AfterAll
    static void stop() throws Exception {
        resources.close();
    }

    @BeforeEach
    void forget() {
        service.clearRequests();
        fakeGateway.clearRequests();
    }

    private static H2Client gatewayClient() throws IOException {
        return H2Client.connect(gateway.port());
    }

    private static H2Client edgeClient() throws IOException {
        return H2Client.connectTls(edge.tlsPort(), tls);
    }

    private static List<String[]> edgeGet(String path, String... extra) {
        return H2Frames.request("GET", "https", "127.0.0.1:" + edge.tlsPort(), path, extra);
    }

    /** A 400 problem, and not one byte of a request reached the upstream. */
    private static void assertRefusedBeforeUpstream(H2Response r, WireUpstream upstream, String what) {
        assertEquals(400, r.status(), what + ": " + r);
        assertEquals("application/problem+json", r.header("content-type"), what);
        assertEquals(0, upstream.requestCount(), what + ": the upstream received " + upstream.requests());
        assertEquals(List.of(), upstream.droppedRequests(), what);
        assertEquals(0, upstream.protocolErrors(), what + ": the upstream got bytes it could not parse");
    }

    private static List<String[]> withoutAuthority(List<String[]> fields) {
        List<String[]> f = new ArrayList<>(fields);
        f.removeIf(h -> h[0].equals(":authority"));
        return f;
    }

    // ---- item 1: header injection, at a gateway over h2c -----------------------------------

    @Test
    void gatewayRefusesCrLfInAHeaderValue() throws IOException {
        try (H2Client c = gatewayClient()) {
            assertRefusedBeforeUpstream(c.exchange(H2Frames.get("/api/x", "x-a", "v" + SMUGGLED), null), service,
                    "CRLF in a value");
        }
    }

    @Test
    void gatewayRefusesCrLfInTheQueryOfPath() throws IOException {
        try (H2Client c = gatewayClient()) {
            assertRefusedBeforeUpstream(c.exchange(H2Frames.get("/api/x?a=1 HTTP/1.1" + SMUGGLED + "GET /api/y?b=2"),
                    null), service, "CRLF in :path");
        }
    }

    @Test
    void gatewayRefusesCrLfInAnExplicitHost() throws IOException {
        try (H2Client c = gatewayClient()) {
            assertRefusedBeforeUpstream(c.exchange(withoutAuthority(H2Frames.get("/api/x", "host", "h" + SMUGGLED)),
                    null), service, "CRLF in host");
        }
    }

    @Test
    void gatewayRefusesCrLfInTheAuthority() throws IOException {
        try (H2Client c = gatewayClient()) {
            assertRefusedBeforeUpstream(c.exchange(H2Frames.request("GET", "http", "h" + SMUGGLED, "/api/x"), null),
                    service, "CRLF in :authority");
        }
    }

    @Test
    void gatewayRefusesNulAndBareCrInValues() throws IOException {
        try (H2Client c = gatewayClient()) {
            assertRefusedBeforeUpstream(c.exchange(H2Frames.get("/api/x", "x-a", "a\0b"), null), service, "NUL");
            assertRefusedBeforeUpstream(c.exchange(H2Frames.get("/api/x", "x-a", "a\rb"), null), service, "bare CR");
            assertRefusedBeforeUpstream(c.exchange(H2Frames.get("/api/x", "authorization", "Bearer a\nb"), null),
                    service, "bare LF");
        }
    }

    @Test
    void anExplicitHostBesideTheAuthorityIsNeverWrittenUpstream() throws IOException {
        try (H2Client c = gatewayClient()) {
            H2Response r = c.exchange(H2Frames.get("/api/x", "host", "h" + SMUGGLED), null);
            // Either refused, or forwarded once with the authority: never a second request.
            if (r.status() != 400) {
                assertEquals(200, r.status(), r.toString());
                assertEquals(1, service.requestCount(), service.requests().toString());
                for (String line : service.lastRequest().headerLines()) {
                    assertFalse(line.contains("6.6.6.6") || line.startsWith("POST"), line);
                }
            }
            assertEquals(List.of(), service.droppedRequests());
        }
    }

    @Test
    void aCleanRequestOnTheSameConnectionStillPasses() throws IOException {
        try (H2Client c = gatewayClient()) {
            assertEquals(400, c.exchange(H2Frames.get("/api/x", "x-a", "v" + SMUGGLED), null).status());
            // "café" in UTF-8, as an HTTP/2 client sends it (the client writes each char as one byte).
            H2Response ok = c.exchange(H2Frames.get("/api/ok?q=%0D%0A", "x-a", "caf\u00c3\u00a9 \t ok"), null);
            assertEquals(200, ok.status(), ok.toString());
            assertEquals("GET /api/ok?q=%0D%0A HTTP/1.1", service.lastRequest().requestLine());
        }
    }

    // ---- item 1 at the edge, over TLS with ALPN h2 -------------------------------------------

    @Test
    void edgeRefusesInjectionInValuePathHostAndAuthority() throws IOException {
        try (H2Client c = edgeClient()) {
            assertRefusedBeforeUpstream(c.exchange(edgeGet("/api/x", "x-a", "v" + SMUGGLED), null), fakeGateway,
                    "CRLF in a value");
            assertRefusedBeforeUpstream(c.exchange(edgeGet("/api/x?a=1" + SMUGGLED), null), fakeGateway,
                    "CRLF in :path");
            assertRefusedBeforeUpstream(c.exchange(withoutAuthority(edgeGet("/api/x", "host", "h" + SMUGGLED)), null),
                    fakeGateway, "CRLF in host");
            assertRefusedBeforeUpstream(c.exchange(H2Frames.request("GET", "https", "h" + SMUGGLED, "/api/x"), null),
                    fakeGateway, "CRLF in :authority");
            assertRefusedBeforeUpstream(c.exchange(edgeGet("/api/x", "x-a", "a\0b"), null), fakeGateway, "NUL");
        }
    }

    // ---- item 5: bodies without content-length -------------------------------------------------

    private static void assertBodies(H2Client c, List<String[]> post, WireUpstream upstream) throws IOException {
        byte[] part1 = "{\"first\":".getBytes(StandardCharsets.US_ASCII);
        byte[] part2 = "\"part\"}".getBytes(StandardCharsets.US_ASCII);
        int s = c.headers(post, false);
        c.data(s, part1, false);
        c.data(s, part2, true);
        H2Response r = c.response(s);
        assertEquals(200, r.status(), r.toString());
        RecordedRequest got = upstream.lastRequest();
        assertEquals(Framing.CHUNKED, got.framing(), got.toString());
        assertEquals("{\"first\":\"part\"}", got.bodyText());

        List<String[]> withLength = new ArrayList<>(post);
        withLength.add(new String[] {"content-length", "16"});
        s = c.headers(withLength, false);
        c.data(s, "{\"first\":\"part\"}".getBytes(StandardCharsets.US_ASCII), true);
        assertEquals(200, c.response(s).status());
        got = upstream.lastRequest();
        assertEquals(Framing.CONTENT_LENGTH, got.framing(), got.toString());
        assertEquals(16, got.contentLength());
        assertEquals("{\"first\":\"part\"}", got.bodyText());

        assertEquals(200, c.exchange(post, null).status(), "no body at all");
        got = upstream.lastRequest();
        assertEquals(Framing.CONTENT_LENGTH, got.framing(), got.toString());
        assertEquals(0, got.contentLength(), "an empty POST is sent with Content-Length: 0, not chunked");
    }

    @Test
    void gatewayStreamsBodiesWithoutContentLengthChunked() throws IOException {
        try (H2Client c = gatewayClient()) {
            assertBodies(c, H2Frames.request("POST", "http", "127.0.0.1", "/api/orders"), service);
        }
    }

    @Test
    void edgeStreamsBodiesWithoutContentLengthChunked() throws IOException {
        try (H2Client c = edgeClient()) {
            assertBodies(c, H2Frames.request("POST", "https", "127.0.0.1:" + edge.tlsPort(), "/api/orders"),
                    fakeGateway);
        }
    }

    // ---- item 11: X-Forwarded-Host from :authority -----------------------------------------------

    @Test
    void gatewayForwardsTheAuthorityAsForwardedHost() throws IOException {
        try (H2Client c = gatewayClient()) {
            H2Response r = c.exchange(H2Frames.request("GET", "http", "shop.example:8443", "/api/x"), null);
            assertEquals(200, r.status(), r.toString());
            RecordedRequest got = service.lastRequest();
            assertEquals("shop.example:8443", got.header("X-Forwarded-Host"), got.toString());
            assertTrue(got.header("Forwarded").contains("host=\"shop.example:8443\""), got.header("Forwarded"));
            assertEquals("127.0.0.1:" + service.port(), got.header("Host"), "Host names the upstream");
        }
    }

    @Test
    void edgeForwardsTheAuthorityAsForwardedHost() throws IOException {
        try (H2Client c = edgeClient()) {
            H2Response r = c.exchange(H2Frames.request("GET", "https", "shop.example", "/api/x"), null);
            assertEquals(200, r.status(), r.toString());
            assertEquals("shop.example", fakeGateway.lastRequest().header("X-Forwarded-Host"));
        }
    }

    // ---- item 9 over HTTP/2 ------------------------------------------------------------------------

    @Test
    void gatewayStripsIdentityHeadersSpelledWithUnderscores() throws IOException {
        try (H2Client c = gatewayClient()) {
            H2Response r = c.exchange(H2Frames.get("/api/x", "x_auth_roles", "admin", "x-auth_subject", "1",
                    "x_other", "kept"), null);
            assertEquals(200, r.status(), r.toString());
            RecordedRequest got = service.lastRequest();
            List<String> loose = got.headerNames().stream().map(n -> n.toLowerCase(Locale.ROOT).replace('_', '-'))
                    .toList();
            assertFalse(loose.contains("x-auth-roles"), got.toString());
            assertFalse(loose.contains("x-auth-subject"), got.toString());
            assertEquals("kept", got.header("x_other"));
            assertNull(got.header("x_auth_roles"));
        }
    }
}
