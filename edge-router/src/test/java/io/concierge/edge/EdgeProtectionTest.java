package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * Edge protection on a real edge in front of a recording stand-in gateway: CORS (preflight at the
 * edge, decoration of relayed responses, foreign origins), IP deny lists behind a trusted proxy,
 * forwarding headers from untrusted clients, security headers, the edge-wide body limit.
 */
class EdgeProtectionTest {
    static final String ALLOWED = "http://localhost:3000";
    static WireUpstream gateway;
    /** Clients connect directly: nobody is trusted. */
    static EdgeServer edge;
    /** Behind a proxy on loopback, with deny lists. */
    static EdgeServer proxied;

    @BeforeAll
    static void start() {
        // The stand-in gateway tries to set its own CORS policy; the edge must not let it through.
        gateway = WireUpstream.start(r -> UpstreamReply.json(200, r.toJson())
                .header("Access-Control-Allow-Origin", "*")
                .header("Access-Control-Allow-Credentials", "true"));
        List<Registration> regs = List.of(new Registration("shop-1", "shop", List.of("/api"), "127.0.0.1",
                gateway.port(), 0, 0L, Map.of()));
        edge = EdgeServer.start(EdgeConfig.parse("edge.yaml", """
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                discovery: {type: static}
                protection:
                  cors:
                    allowed-origins: "${ALLOWED_ORIGINS:http://localhost:8080,http://localhost:3000}"
                    allow-credentials: true
                    max-age: 10m
                  max-body-size: 1KB
                """, k -> null), new StaticDiscovery(regs));
        proxied = EdgeServer.start(EdgeConfig.parse("edge-behind-proxy.yaml", """
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                discovery: {type: static}
                protection:
                  trusted-proxies: [127.0.0.1/32]
                  ip:
                    deny: [198.51.100.0/24, "2001:db8::/32"]
                  headers: {frame-ancestors: "'self'", content-type-options: false}
                server: {read-timeout: 400ms, header-timeout: 1s}
                """, k -> null), new StaticDiscovery(regs));
    }

    @AfterAll
    static void stop() {
        edge.close();
        proxied.close();
        gateway.close();
    }

    @Test
    void slowClientsAreDisconnectedAtTheEdge() throws IOException {
        int before = gateway.requestCount();
        try (WireClient silent = WireClient.connect(proxied.port());
             WireClient stalled = WireClient.connect(proxied.port());
             WireClient body = WireClient.connect(proxied.port())) {
            silent.readTimeout(java.time.Duration.ofSeconds(20));
            stalled.readTimeout(java.time.Duration.ofSeconds(20));
            body.readTimeout(java.time.Duration.ofSeconds(20));
            stalled.send("GET /api/x HTTP/1.1\r\nHost: edge\r\nX-Half: "); // never finished
            body.send(body.head("POST", "/api/x", "Content-Length: 50") + "0123456789"); // 40 bytes short
            assertEquals("", silent.readUntilClosed(), "a connection that never sends a byte is closed");
            assertEquals("", stalled.readUntilClosed(), "a head that stops arriving is closed");
            String answer = body.readUntilClosed();
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
        }
        // The short body's head may have been relayed (bodies stream); the unfinished head never is.
        assertTrue(gateway.requestCount() - before <= 1, "an unfinished head reached the gateway");
    }

    @Test
    void anAllowedPreflightIsAnsweredAtTheEdge() throws IOException {
        int before = gateway.requestCount();
        WireResponse r = WireClient.exchange(edge.port(), "OPTIONS", "/api/orders", "Origin: " + ALLOWED,
                "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: Authorization, Content-Type");
        assertEquals(204, r.status(), r.toString());
        assertEquals(ALLOWED, r.header("Access-Control-Allow-Origin"));
        assertEquals("true", r.header("Access-Control-Allow-Credentials"));
        assertTrue(r.header("Access-Control-Allow-Methods").contains("POST"));
        assertEquals("authorization, content-type", r.header("Access-Control-Allow-Headers"));
        assertEquals("600", r.header("Access-Control-Max-Age"));
        assertEquals("nosniff", r.header("X-Content-Type-Options"), "security headers on preflights too");
        assertEquals(before, gateway.requestCount(), "a preflight never reaches a gateway");
    }

    @Test
    void aForeignOriginGetsNoCorsHeaders() throws IOException {
        int before = gateway.requestCount();
        WireResponse pre = WireClient.exchange(edge.port(), "OPTIONS", "/api/orders", "Origin: https://evil.example",
                "Access-Control-Request-Method: POST");
        assertEquals(403, pre.status());
        assertNull(pre.header("Access-Control-Allow-Origin"));
        assertEquals(before, gateway.requestCount());
        WireResponse get = WireClient.exchange(edge.port(), "GET", "/api/orders", "Origin: https://evil.example");
        assertEquals(200, get.status(), "the request is served; the browser just may not read it");
        assertEquals(List.of(), get.headers("Access-Control-Allow-Origin"), "not even the gateway's '*'");
        assertEquals(List.of(), get.headers("Access-Control-Allow-Credentials"));
        // A method or header outside the policy fails the preflight even for a good origin.
        assertEquals(403, WireClient.exchange(edge.port(), "OPTIONS", "/api/orders", "Origin: " + ALLOWED,
                "Access-Control-Request-Method: TRACE").status());
        assertEquals(403, WireClient.exchange(edge.port(), "OPTIONS", "/api/orders", "Origin: " + ALLOWED,
                "Access-Control-Request-Method: GET", "Access-Control-Request-Headers: X-Secret").status());
    }

    @Test
    void relayedResponsesCarryTheEdgesCorsHeadersOnly() throws IOException {
        WireResponse r = WireClient.exchange(edge.port(), "GET", "/api/orders", "Origin: http://localhost:8080");
        assertEquals(200, r.status());
        assertEquals(List.of("http://localhost:8080"), r.headers("Access-Control-Allow-Origin"));
        assertEquals(List.of("true"), r.headers("Access-Control-Allow-Credentials"));
        assertEquals("X-Request-Id", r.header("Access-Control-Expose-Headers"));
        assertTrue(String.join(",", r.headers("Vary")).contains("Origin"));
        // The edge's own errors too, so a browser app can read a 404.
        WireResponse missing = WireClient.exchange(edge.port(), "GET", "/nowhere", "Origin: " + ALLOWED);
        assertEquals(404, missing.status());
        assertEquals(ALLOWED, missing.header("Access-Control-Allow-Origin"));
    }

    @Test
    void securityHeadersButNoHstsOnPlainHttp() throws IOException {
        WireResponse r = WireClient.exchange(edge.port(), "GET", "/api/orders");
        assertEquals("nosniff", r.header("X-Content-Type-Options"));
        assertEquals("frame-ancestors 'none'", r.header("Content-Security-Policy"));
        assertNull(r.header("Strict-Transport-Security"), "HSTS over plain HTTP means nothing and is never sent");
        WireResponse configured = WireClient.exchange(proxied.port(), "GET", "/nowhere");
        assertEquals("frame-ancestors 'self'", configured.header("Content-Security-Policy"));
        assertNull(configured.header("X-Content-Type-Options"));
        assertNull(configured.header("Strict-Transport-Security"));
    }

    @Test
    void aDeniedClientBehindATrustedProxyIsRefused() throws IOException {
        int before = gateway.requestCount();
        for (String ip : List.of("198.51.100.7", "2001:db8::1", "[2001:db8::2]", "::ffff:198.51.100.9")) {
            WireResponse r = WireClient.exchange(proxied.port(), "GET", "/api/x", "X-Forwarded-For: " + ip);
            assertEquals(403, r.status(), ip + ": " + r);
            assertEquals("application/problem+json", r.header("Content-Type"));
        }
        assertEquals(before, gateway.requestCount());
        // The client a trusted proxy vouches for is the rightmost untrusted address.
        WireResponse ok = WireClient.exchange(proxied.port(), "GET", "/api/x",
                "X-Forwarded-For: 198.51.100.7, 203.0.113.9");
        assertEquals(200, ok.status(), "a spoofed address left of the real client is not believed");
    }

    @Test
    void forwardingHeadersFromAnUntrustedClientAreDropped() throws IOException {
        WireResponse r = WireClient.exchange(edge.port(), "GET", "/api/x", "X-Forwarded-For: 10.0.0.1",
                "Forwarded: for=10.0.0.1", "X-Forwarded-Host: evil.example", "X-Forwarded-Proto: https");
        assertEquals(200, r.status());
        RecordedRequest seen = gateway.lastRequest();
        assertEquals(List.of("127.0.0.1"), seen.headers("X-Forwarded-For"));
        assertEquals(List.of("http"), seen.headers("X-Forwarded-Proto"));
        assertFalse(String.join(",", seen.headers("Forwarded")).contains("10.0.0.1"));
        assertFalse(String.join(",", seen.headers("X-Forwarded-Host")).contains("evil"));
        // Behind a trusted proxy the chain is kept and extended.
        WireClient.exchange(proxied.port(), "GET", "/api/x", "X-Forwarded-For: 203.0.113.9");
        assertEquals(List.of("203.0.113.9, 127.0.0.1"), gateway.lastRequest().headers("X-Forwarded-For"));
    }

    @Test
    void anOversizedBodyIsRefusedAtTheEdge() throws IOException {
        int before = gateway.requestCount();
        try (WireClient c = WireClient.connect(edge.port())) {
            c.send(c.head("POST", "/api/x", "Content-Length: 2000") + "x".repeat(2000));
            assertEquals(413, c.readResponse().status());
        }
        assertEquals(before, gateway.requestCount());
    }
}
