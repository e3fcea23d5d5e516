package io.concierge.gateway.server;

import java.io.IOException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Route choice and path rewriting through a real gateway, checked on the request line the upstream
 * received. The routes are listed least specific first, so file order never explains a result.
 * Each route adds a prefix naming itself, which tells which route matched.
 */
class RewriteAndRoutingTest {
    private static WireUpstream upstream;
    private static GatewayServer gateway;

    @BeforeAll
    static void start() {
        upstream = WireUpstream.start(WireUpstream.echo());
        gateway = TestGateways.start("""
                domain: test
                prefixes: [/api]
                services:
                  backend:
                    instances: [{url: "%s"}]
                routes:
                  - id: users-rest
                    match: {path: "/api/users/**"}
                    rewrite: {add-prefix: /rest}
                    service: backend
                  - id: users-by-id
                    match: {path: "/api/users/{id}"}
                    rewrite: {add-prefix: /param}
                    service: backend
                  - id: users-me
                    match: {path: /api/users/me}
                    rewrite: {add-prefix: /literal}
                    service: backend
                  - id: users-exact
                    match: {path: /api/users}
                    rewrite: {add-prefix: /exact}
                    service: backend
                  - id: user-profile
                    match: {path: "/api/users/{id}/profile"}
                    rewrite: {regex: "^/api/users", replacement: /api/v1/users}
                    service: backend
                  - id: orders
                    match: {path: "/api/orders/**"}
                    rewrite: {strip-prefix: /api/orders, add-prefix: /v2/orders}
                    service: backend
                  - id: items
                    match: {path: "/api/items/**"}
                    rewrite: {strip-prefix: /api/items}
                    service: backend
                  - id: plain
                    match: {path: "/api/plain/**"}
                    service: backend
                  - id: tenant-a
                    match: {path: "/api/tenant/**", headers: {X-Tenant: a}}
                    rewrite: {add-prefix: /tenant-a}
                    service: backend
                  - id: tenant-any
                    match: {path: "/api/tenant/**"}
                    rewrite: {add-prefix: /tenant-any}
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

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ' ', value = {
            // the most specific route wins: literal > {param} > **, exact > **
            "/api/users/me /literal/api/users/me",
            "/api/users/42 /param/api/users/42",
            "/api/users/42/orders /rest/api/users/42/orders",
            "/api/users /exact/api/users",
            "/api/users/me/x /rest/api/users/me/x",
            // a literal after a parameter still beats **
            "/api/users/42/profile?x=1 /api/v1/users/42/profile?x=1",
            // strip + add, the query untouched
            "/api/orders/7/items?sort=a,b&x=%20 /v2/orders/7/items?sort=a,b&x=%20",
            "/api/orders /v2/orders",
            "/api/orders/ /v2/orders/",
            // strip only; the rest of the raw path kept byte for byte
            "/api/items/a%20b/c%3Bd /a%20b/c%3Bd",
            "/api/items /",
            // matching uses decoded segments, forwarding the client's spelling
            "/api/%75sers/me /literal/api/%75sers/me",
            // double encoding is one decoding away from dots: a literal, forwarded unchanged
            "/api/plain/%252e%252e/x /api/plain/%252e%252e/x",
            "/api/plain/%252F /api/plain/%252F"})
    void routesAndRewrites(String sent, String forwarded) throws IOException {
        WireResponse r = WireClient.exchange(gateway.port(), "GET", sent);

        assertEquals(200, r.status(), r::toString);
        assertEquals("GET " + forwarded + " HTTP/1.1", upstream.lastRequest().requestLine());
    }

    @Test
    void aRouteWithAHeaderConditionWinsWhenTheHeaderMatches() throws IOException {
        WireClient.exchange(gateway.port(), "GET", "/api/tenant/x", "X-Tenant: a");
        assertEquals("/tenant-a/api/tenant/x", upstream.lastRequest().target());

        WireClient.exchange(gateway.port(), "GET", "/api/tenant/x", "X-Tenant: b");
        assertEquals("/tenant-any/api/tenant/x", upstream.lastRequest().target());

        WireClient.exchange(gateway.port(), "GET", "/api/tenant/x");
        assertEquals("/tenant-any/api/tenant/x", upstream.lastRequest().target());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/api/plain/../x",
            "/api/plain/..",
            "/api/plain/./x",
            "/api/plain/%2e%2e/x",
            "/api/plain/%2E%2E/x",
            "/api/plain/.%2E/x",
            "/api/plain/%2e./x",
            "/api/plain/%2e",
            "/api/plain/a%2Fb",
            "/api/plain/a%5Cb",
            "/api/plain//x",
            "//api/plain/x",
            "/api/plain/x%00",
            "/api/plain/x%0d%0aX-Injected:%201",
            "/api/plain/x%7F",
            "/api/plain/%zz",
            "/api/plain/%2",
            "/api/plain/x%",
            "/api/plain/%C3",
            "/api/plain/%C0%AE%C0%AE",
            "/api/plain/caf\u00e9"})
    void aPathTheGatewayAndUpstreamCouldReadDifferentlyIs400Problem(String target) throws IOException {
        int before = upstream.requestCount();

        WireResponse r = WireClient.exchange(gateway.port(), "GET", target);

        assertEquals(400, r.status(), r::toString);
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals(400, r.json().get("status").asInt());
        assertEquals(before, upstream.requestCount(), "nothing was forwarded");
    }
}
