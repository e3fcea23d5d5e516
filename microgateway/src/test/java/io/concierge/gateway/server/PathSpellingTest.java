package io.concierge.gateway.server;

import java.io.IOException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Spellings of a path that the gateway and a Servlet-style upstream could read differently (issue
 * 12, items 6 and 7), sent over a raw socket to a real gateway: a dot segment hidden behind path
 * parameters is refused before anything is forwarded, and a regex rewrite applies to every spelling
 * of the path the route matched.
 */
class PathSpellingTest {
    private static WireUpstream upstream;
    private static GatewayServer gateway;

    @BeforeAll
    static void start() {
        upstream = WireUpstream.start(WireUpstream.echo());
        gateway = TestGateways.start("""
                domain: test
                prefixes: [/api]
                server: {allow-encoded-slash: true}
                services:
                  backend:
                    instances: [{url: "%s"}]
                routes:
                  - id: rx
                    match: {path: "/api/rx/**"}
                    rewrite: {regex: "^/api/rx/(.*)$", replacement: /internal/$1}
                    service: backend
                  - id: plain
                    match: {path: "/api/**"}
                    service: backend
                """.formatted(upstream.url()));
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

    @ParameterizedTest
    @ValueSource(strings = {
            "/api/..;/admin",
            "/api/x/..;/admin",
            "/api/%2e%2e;/admin",
            "/api/%2E%2e;x=y/admin",
            "/api/.%2e;/admin",
            "/api/.;/admin",
            "/api/..;",
            "/api/..%3b/admin",
            "/api/..%3B/admin",
            "/api/%2e%2e%3bjsessionid=1/admin",
            "/api/;x/admin",
            "/api/rx/..;/admin"})
    void aDotSegmentWithPathParametersIs400ProblemAndNothingIsForwarded(String target) throws IOException {
        int before = upstream.requestCount();

        WireResponse r = WireClient.exchange(gateway.port(), "GET", target);

        assertEquals(400, r.status(), r::toString);
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals(400, r.json().get("status").asInt());
        assertEquals(r.header("X-Request-Id"), r.json().get("requestId").asText());
        assertEquals(before, upstream.requestCount(), "nothing was forwarded");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ' ', value = {
            "/api/rx/secret /internal/secret",
            "/api/%72x/secret /internal/secret",
            "/api/%52x/secret /api/%52x/secret",
            "/api/r%78/s%65cret?a=%72 /internal/secret?a=%72",
            "/api/%72%78/a%2fb%3b /internal/a%2Fb%3B",
            // no regex on this route: the raw path byte for byte, whatever its spelling
            "/api/other/%72x%2F /api/other/%72x%2F",
            "/api/a;x=1/b /api/a;x=1/b"})
    void aRegexRewriteSeesEverySpellingOfTheMatchedPath(String sent, String forwarded) throws IOException {
        WireResponse r = WireClient.exchange(gateway.port(), "GET", sent);

        assertEquals(200, r.status(), r::toString);
        assertEquals("GET " + forwarded + " HTTP/1.1", upstream.lastRequest().requestLine());
    }
}
