package io.concierge.edge.protection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.IpRanges;
import io.concierge.gateway.security.SecurityStats;
import io.concierge.gateway.security.SecuritySteps;
import io.concierge.gateway.testing.DirectChain;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.ClientResponseTyped;

/** CORS and security headers act on the answer of the steps after them, without a socket. */
class ResponseSideSecurityStepsTest {
    private static final String APP = "http://app.example";
    private static final CorsConfig CORS = new CorsConfig(Set.of(APP), false, Set.of("GET", "POST"),
            Set.of("authorization", "content-type"), List.of("X-Request-Id"), false, Duration.ofMinutes(10));
    /** What a gateway might send: its own CORS policy, which the edge must not let through. */
    private static final Map<String, String> UPSTREAM_CORS = Map.of("Access-Control-Allow-Origin", "*",
            "Access-Control-Allow-Credentials", "true", "Vary", "Accept-Encoding");

    @Test
    void corsReplacesTheUpstreamsAccessControlHeadersForAnAllowedOrigin() {
        SecurityStats stats = new SecurityStats();
        DirectChain.Terminal upstream = DirectChain.answer(200, UPSTREAM_CORS, "{}");
        try (DirectChain chain = DirectChain.of(new CorsStep(CORS, stats), upstream)) {
            ClientResponseTyped<String> r = chain.get("/api/x").header(HeaderNames.ORIGIN, APP).request(String.class);
            assertEquals(200, r.status().code());
            assertEquals(APP, r.headers().first(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN).orElse(null),
                    "the edge's own origin, not the upstream's *");
            assertFalse(r.headers().contains(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS),
                    "the upstream's credentials flag was dropped");
            assertEquals("X-Request-Id", r.headers().first(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS).orElse(null));
            String vary = String.join(",", r.headers().values(HeaderNames.VARY));
            assertTrue(vary.contains("Origin") && vary.contains("Accept-Encoding"), vary);
        }
        assertEquals(0L, stats.snapshot().get("corsRefused"));
    }

    @Test
    void corsDropsTheUpstreamsHeadersForAnotherOriginAndWithoutOne() {
        SecurityStats stats = new SecurityStats();
        try (DirectChain chain = DirectChain.of(new CorsStep(CORS, stats), DirectChain.answer(200, UPSTREAM_CORS, "{}"))) {
            ClientResponseTyped<String> evil = chain.get("/api/x").header(HeaderNames.ORIGIN, "http://evil.example")
                    .request(String.class);
            assertEquals(200, evil.status().code());
            assertFalse(evil.headers().contains(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN));
            assertFalse(evil.headers().contains(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS));
            ClientResponseTyped<String> none = chain.get("/api/x").request(String.class);
            assertFalse(none.headers().contains(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN));
        }
        assertEquals(1L, stats.snapshot().get("corsRefused"));
    }

    @Test
    void corsAnswersPreflightsItselfAndNeverProceeds() {
        SecurityStats stats = new SecurityStats();
        DirectChain.Terminal upstream = DirectChain.answer(200, Map.of(), "{}");
        try (DirectChain chain = DirectChain.of(new CorsStep(CORS, stats), upstream)) {
            ClientResponseTyped<String> ok = chain.method(Method.OPTIONS, "/api/x").header(HeaderNames.ORIGIN, APP)
                    .header(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                    .header(HeaderNames.ACCESS_CONTROL_REQUEST_HEADERS, "Content-Type").request(String.class);
            assertEquals(204, ok.status().code());
            assertEquals(APP, ok.headers().first(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN).orElse(null));
            assertEquals("content-type", ok.headers().first(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS).orElse(null));
            ClientResponseTyped<String> refused = chain.method(Method.OPTIONS, "/api/x").header(HeaderNames.ORIGIN, APP)
                    .header(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD, "DELETE").request(String.class);
            assertEquals(403, refused.status().code());
            assertEquals("application/problem+json", refused.headers().contentType().orElseThrow().text());
        }
        assertFalse(upstream.reached(), "a preflight never reaches the gateway");
        assertEquals(2L, stats.snapshot().get("preflights"));
    }

    @Test
    void securityHeadersReplaceTheUpstreamsOwnAndAreOnRefusalsToo() {
        SecurityHeadersStep headers = new SecurityHeadersStep(SecurityHeadersConfig.DEFAULT);
        try (DirectChain chain = DirectChain.of(headers, DirectChain.answer(200,
                Map.of("X-Content-Type-Options", "sniff-away", "Content-Security-Policy", "frame-ancestors *"), "{}"))) {
            ClientResponseTyped<String> r = chain.get("/api/x").request(String.class);
            assertEquals(List.of("nosniff"), r.headers().values(HeaderNames.X_CONTENT_TYPE_OPTIONS));
            assertEquals(List.of("frame-ancestors 'none'"),
                    r.headers().values(HeaderNames.create("Content-Security-Policy")));
            assertFalse(r.headers().contains(HeaderNames.STRICT_TRANSPORT_SECURITY), "no HSTS over plain HTTP");
        }
        try (DirectChain chain = DirectChain.of(headers, SecuritySteps.ipList(IpRanges.NONE, IpRanges.of("127.0.0.1"),
                new SecurityStats()), DirectChain.answer(200, Map.of(), "{}"))) {
            ClientResponseTyped<String> refused = chain.get("/api/x").request(String.class);
            assertEquals(403, refused.status().code());
            assertEquals("nosniff", refused.headers().first(HeaderNames.X_CONTENT_TYPE_OPTIONS).orElse(null),
                    "a later step's refusal carries them as well");
        }
    }
}
