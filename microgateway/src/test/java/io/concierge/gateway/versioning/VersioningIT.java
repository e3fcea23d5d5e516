package io.concierge.gateway.versioning;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API versions through a real gateway: each selector, their precedence, the unsupported-version
 * 400, Vary, the deprecation signals, the version's transformation of the same upstream answer, and
 * what the upstream receives (no version segment, no version parameter).
 */
class VersioningIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WireUpstream upstream;
    private static GatewayServer gateway;

    @BeforeAll
    static void start() {
        upstream = WireUpstream.start(VersioningIT::reply);
        gateway = TestGateways.start("""
                domain: products
                prefixes: [/api/products, /api/v1/products, /api/v2/products, /api/other]
                services:
                  backend:
                    instances: [{url: "%s"}]
                routes:
                  - id: list
                    match: {path: /api/products, methods: [GET]}
                    service: backend
                  - id: one
                    match: {path: "/api/products/{id}", methods: [GET]}
                    service: backend
                  - id: other
                    match: {path: "/api/other/**"}
                    service: backend
                  - id: legacy
                    match: {path: "/api/other/legacy/{id}"}
                    service: backend
                versioning:
                  - id: catalog
                    routes: [list, one]
                    default: "1"
                    url-prefix: /api
                    header: API-Version
                    media-type: application/vnd.concierge.v{version}+json
                    query: version
                    versions:
                      - version: "1"
                        deprecated: {since: "2026-12-01T00:00:00Z", sunset: "2027-06-30T00:00:00Z", successor: "2"}
                      - version: "2"
                        transform:
                          response:
                            body:
                              - each: /
                                do:
                                  - rename: {/name: title}
                                  - move: {/price: /price/amount, /currency: /price/currency}
                              - rename: {/name: title}
                              - move: {/price: /price/amount, /currency: /price/currency}
                  - id: legacy
                    routes: [legacy]
                    default: a
                    header: X-Legacy-Version
                    versions:
                      - version: a
                      - version: b
                        rewrite: {add-prefix: /b}
                """.formatted(upstream.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    private static UpstreamReply reply(RecordedRequest r) {
        String body = r.path().equals("/api/products")
                ? "[{\"id\":1,\"name\":\"Laptop\",\"price\":999.9,\"currency\":\"EUR\"}]"
                : "{\"id\":1,\"name\":\"Laptop\",\"price\":999.9,\"currency\":\"EUR\",\"stock\":3}";
        return UpstreamReply.json(200, body.getBytes(StandardCharsets.UTF_8)).header("Vary", "Origin");
    }

    private static WireResponse get(String target, String... headers) throws Exception {
        return WireClient.exchange(gateway.port(), "GET", target, headers);
    }

    private static boolean isV2(WireResponse r) {
        return r.json().has("title") || (r.json().isArray() && r.json().get(0).has("title"));
    }

    @ParameterizedTest(name = "{0} {1} → v{2}")
    @CsvSource(delimiter = '|', value = {
        "/api/products/1|                                          |1|API-Version, Accept",
        "/api/v1/products/1|                                       |1|",
        "/api/v2/products/1|                                       |2|",
        "/api/products/1|API-Version: 2                            |2|API-Version, Accept",
        "/api/products/1|Accept: application/vnd.concierge.v2+json |2|API-Version, Accept",
        "/api/products/1|Accept: text/html, application/VND.concierge.v2+json;q=0.9|2|API-Version, Accept",
        "/api/products/1?version=2|                                |2|API-Version, Accept",
        "/api/v1/products/1|API-Version: 2                         |1|",
        "/api/v2/products/1|API-Version: 1                         |2|",
        "/api/products/1?version=2|API-Version: 1                  |1|API-Version, Accept",
        "/api/products/1|API-Version: 1\u0000Accept: application/vnd.concierge.v2+json|1|API-Version, Accept",
        "/api/products/1?version=1|Accept: application/vnd.concierge.v2+json|2|API-Version, Accept",
    })
    void eachSelectorAndTheirPrecedence(String target, String headers, String version, String vary) throws Exception {
        WireResponse r = headers == null ? get(target) : get(target, headers.split("\u0000"));

        assertEquals(200, r.status(), r.toString());
        assertEquals(version.equals("2"), isV2(r), r.toString());
        assertEquals("/api/products/1", upstream.lastRequest().target(), "no version segment or parameter upstream");
        String expectedVary = vary == null ? "Origin" : "Origin, " + vary;
        assertEquals(expectedVary, String.join(", ", r.headers("Vary")));
    }

    @Test
    void versionTwoIsMadeFromTheUpstreamsVersionOneForListsAndSingleItems() throws Exception {
        assertEquals(JSON.readTree("{\"id\":1,\"title\":\"Laptop\",\"price\":{\"amount\":999.9,\"currency\":\"EUR\"},\"stock\":3}"),
                get("/api/v2/products/1").json());
        assertEquals(JSON.readTree("[{\"id\":1,\"title\":\"Laptop\",\"price\":{\"amount\":999.9,\"currency\":\"EUR\"}}]"),
                get("/api/v2/products").json());
        assertEquals(JSON.readTree("[{\"id\":1,\"name\":\"Laptop\",\"price\":999.9,\"currency\":\"EUR\"}]"),
                get("/api/products").json());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/api/products?version=9|",
        "/api/products|API-Version: 9",
        "/api/products|Accept: application/vnd.concierge.v9+json",
        "/api/products/1|API-Version: 2.0",
    })
    void anUnsupportedVersionIsA400ListingTheSupportedOnes(String target, String header) throws Exception {
        VersionStats stats = gateway.runtime().versionStats();
        long unsupportedBefore = stats.unsupportedCount("catalog");
        long v1Before = stats.count("catalog", "1");
        WireResponse r = header == null ? get(target) : get(target, header);

        assertEquals(400, r.status(), r.toString());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals("Unsupported API version", r.json().get("title").asText());
        assertTrue(r.json().get("detail").asText().contains("supported versions: 1, 2"), r.bodyText());
        assertEquals(JSON.readTree("[\"1\",\"2\"]"), r.json().get("supportedVersions"));
        // Counted as refused before the answer was written, never as a request for the default version.
        assertEquals(unsupportedBefore + 1, stats.unsupportedCount("catalog"));
        assertEquals(v1Before, stats.count("catalog", "1"));
    }

    @Test
    void anUndeclaredUrlVersionIsNotRouted() throws Exception {
        assertEquals(404, get("/api/v9/products").status());
    }

    @Test
    void aDeprecatedVersionSignalsItsDeprecationSunsetAndSuccessor() throws Exception {
        WireResponse byDefault = get("/api/products/1?x=1");
        assertEquals("@1796083200", byDefault.header("Deprecation"));
        assertEquals("Wed, 30 Jun 2027 00:00:00 GMT", byDefault.header("Sunset"));
        assertEquals("</api/v2/products/1>; rel=\"successor-version\"", byDefault.header("Link"));

        WireResponse byUrl = get("/api/v1/products");
        assertEquals("</api/v2/products>; rel=\"successor-version\"", byUrl.header("Link"));

        WireResponse v2 = get("/api/v2/products");
        assertNull(v2.header("Deprecation"));
        assertNull(v2.header("Sunset"));
        assertNull(v2.header("Link"));
    }

    @Test
    void requestsAreCountedPerVersion() throws Exception {
        VersionStats stats = gateway.runtime().versionStats();
        long v1 = stats.count("catalog", "1");
        long v2 = stats.count("catalog", "2");

        get("/api/products");
        get("/api/v2/products");
        get("/api/products", "API-Version: 2");

        assertEquals(v1 + 1, stats.count("catalog", "1"));
        assertEquals(v2 + 2, stats.count("catalog", "2"));

        get("/api/products", "API-Version: 7");
        PrometheusScrape metrics = new PrometheusScrape(
                WireClient.exchange(gateway.adminPort(), "GET", "/metrics").bodyText());
        assertEquals(v1 + 1, metrics.value("concierge_api_version_requests_total", "group", "catalog", "version", "1",
                "deprecated", "true"));
        assertEquals(v2 + 2, metrics.value("concierge_api_version_requests_total", "group", "catalog", "version", "2",
                "deprecated", "false"));
        assertTrue(metrics.value("concierge_api_version_unsupported_total", "group", "catalog") >= 1);
        assertTrue(metrics.value("concierge_transform_bodies_total", "route", "list@v2", "outcome", "transformed") >= 1);
    }

    @Test
    void aVersionCanHaveItsOwnUpstreamPath() throws Exception {
        get("/api/other/legacy/7");
        assertEquals("/api/other/legacy/7", upstream.lastRequest().target());

        WireResponse b = get("/api/other/legacy/7", "X-Legacy-Version: b");
        assertEquals(200, b.status());
        assertEquals("/b/api/other/legacy/7", upstream.lastRequest().target());
        assertEquals("X-Legacy-Version", b.header("Vary").replace("Origin, ", ""));
    }

    @Test
    void aRouteOutsideTheGroupIsNotVersioned() throws Exception {
        WireResponse r = get("/api/other/x?version=9", "API-Version: 9");

        assertEquals(200, r.status());
        assertNull(r.header("Deprecation"));
        assertEquals("/api/other/x?version=9", upstream.lastRequest().target());
    }
}
