package io.concierge.gateway.transform;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transformation through a real gateway and a real upstream: what the upstream received, and what
 * the client got (body, Content-Length, ETag), for every operation, and for the bodies that must
 * pass untouched (not JSON, too large, invalid, hostile), each counted.
 */
class TransformIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRODUCTS = """
            [{"id":1,"name":"Laptop","price":999.90,"currency":"EUR","inStock":true,"internal":"x"},
             {"id":2,"name":"Mouse","price":25,"currency":"EUR","inStock":false,"internal":"y"}]""";
    private static WireUpstream upstream;
    private static GatewayServer gateway;

    @BeforeAll
    static void start() {
        upstream = WireUpstream.start(TransformIT::reply);
        gateway = TestGateways.start("""
                domain: test
                prefixes: [/api]
                services:
                  backend:
                    instances: [{url: "%s"}]
                routes:
                  - id: list
                    match: {path: /api/products}
                    service: backend
                    transform:
                      response:
                        headers: {remove: [Server, X-Powered-By], rename: {X-Upstream-Id: X-Item-Id}, add: {X-Shape: v2}}
                        body:
                          - each: /
                            do:
                              - remove: [/internal]
                              - rename: {/name: title}
                              - move: {/price: /price/amount, /currency: /price/currency}
                              - map: {at: /inStock, values: {"true": in_stock, "false": sold_out}}
                              - add: {/source: catalog}
                        envelope: true
                  - id: one
                    match: {path: "/api/products/{id}"}
                    service: backend
                    transform:
                      response:
                        body:
                          - select: [/id, /name, /price/amount]
                          - each: /tags
                            do: [{add: {/seen: true}}]
                  - id: echo
                    match: {path: /api/echo}
                    service: backend
                    transform:
                      request:
                        headers: {remove: [X-Debug], rename: {X-Old: X-New}, set: {X-Api: "2"}, add: {X-Default: d}}
                        query: {remove: [debug], rename: {q: query}, set: {limit: "10"}, add: {page: "1"}}
                  - id: stats
                    match: {path: /api/stats}
                    service: backend
                    transform:
                      response:
                        body:
                          - limit: {/items: 5}
                          - count: {/reviews: /reviewCount, /missing: /missingCount}
                          - average: {of: /reviews, value: /rating, to: /rating, decimals: 1}
                          - average: {of: /empty, value: /rating, to: /none}
                          - remove: [/reviews, /empty]
                  - id: raw
                    match: {path: "/api/raw/**"}
                    service: backend
                    transform:
                      response:
                        body: [{remove: [/a]}]
                        max-body-size: 64KB
                compositions:
                  - id: wrapped
                    match: {path: "/api/wrapped/{id}"}
                    calls:
                      - {name: product, service: backend, path: "/api/products/${path.id}", at: .}
                    transform:
                      response:
                        body: [{rename: {/name: title}}]
                        envelope: true
                """.formatted(upstream.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    private static UpstreamReply reply(RecordedRequest r) {
        return switch (r.path()) {
            case "/api/products" -> UpstreamReply.json(200, bytes(PRODUCTS))
                    .header("ETag", "\"v1-list\"").header("Server", "upstream/1.0").header("X-Powered-By", "PHP")
                    .header("X-Upstream-Id", "42");
            case "/api/products/1" -> UpstreamReply.json(200, bytes(
                    "{\"id\":1,\"name\":\"Laptop\",\"price\":{\"amount\":5,\"tax\":1},\"tags\":[{\"t\":\"a\"},{\"t\":\"b\"}],\"x\":0}"))
                    .header("ETag", "W/\"p1\"");
            case "/api/stats" -> UpstreamReply.json(200, bytes(
                    "{\"items\":[1,2,3,4,5,6,7],\"reviews\":[{\"rating\":5},{\"rating\":4},{\"rating\":4}],\"empty\":[]}"));
            case "/api/products/404" -> UpstreamReply.json(404, bytes("{\"error\":\"no such product\"}"));
            case "/api/raw/text" -> UpstreamReply.text(200, "{\"a\":1} but text");
            case "/api/raw/invalid" -> UpstreamReply.json(200, bytes("{\"a\":1,")).header("ETag", "\"i\"");
            case "/api/raw/trailing" -> UpstreamReply.json(200, bytes("{\"a\":1} {\"a\":2}"));
            case "/api/raw/gzip" -> UpstreamReply.json(200, bytes("{\"a\":1}")).header("Content-Encoding", "gzip");
            case "/api/raw/deep" -> UpstreamReply.json(200, bytes("[".repeat(20_000) + "]".repeat(20_000)));
            case "/api/raw/wide" -> UpstreamReply.json(200, bytes("[" + "{\"a\":1,\"b\":2},".repeat(4000) + "{}]"));
            case "/api/raw/large" -> new UpstreamReply(200, "OK", List.of("Content-Type: application/json"),
                    new UpstreamReply.Generated(200_000, false));
            case "/api/raw/large-chunked" -> new UpstreamReply(200, "OK", List.of("Content-Type: application/json"),
                    new UpstreamReply.Generated(200_000, true));
            case "/api/raw/small-chunked" -> UpstreamReply.raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{\"a\":\r\n9\r\n1,\"b\":2}\r\n0\r\n\r\n");
            default -> UpstreamReply.json(200, r.toJson());
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static WireResponse get(String target, String... headers) throws Exception {
        return WireClient.exchange(gateway.port(), "GET", target, headers);
    }

    private static long count(String route, String outcome) {
        return gateway.runtime().transformStats().count(route, outcome);
    }

    @Test
    void everyElementOfAListIsReshapedAndTheAnswerWrappedInTheEnvelope() throws Exception {
        WireResponse r = get("/api/products");

        assertEquals(200, r.status(), r.toString());
        JsonNode body = r.json();
        assertEquals(200, body.get("status").asInt());
        assertEquals("/api/products", body.get("path").asText());
        assertTrue(body.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), body.toString());
        assertEquals(JSON.readTree("""
                [{"id":1,"title":"Laptop","inStock":"in_stock","price":{"amount":999.90,"currency":"EUR"},"source":"catalog"},
                 {"id":2,"title":"Mouse","inStock":"sold_out","price":{"amount":25,"currency":"EUR"},"source":"catalog"}]"""),
                body.get("data"));
        assertTrue(r.bodyText().contains("999.90"), "numbers keep their spelling: " + r.bodyText());
        assertEquals(Framing.CONTENT_LENGTH, r.framing());
        assertEquals(String.valueOf(r.body().length), r.header("Content-Length"));
        assertEquals("application/json", r.header("Content-Type"));
        assertTrue(r.header("ETag").matches("W/\"v1-list-t[0-9a-f]+\""), r.header("ETag"));
        assertNull(r.header("Server"));
        assertNull(r.header("X-Powered-By"));
        assertNull(r.header("X-Upstream-Id"));
        assertEquals("42", r.header("X-Item-Id"));
        assertEquals("v2", r.header("X-Shape"));
        assertNotNull(r.header("X-Request-Id"));
    }

    @Test
    void selectKeepsOnlyTheListedFieldsNestedOnesInPlace() throws Exception {
        WireResponse r = get("/api/products/1");

        assertEquals(JSON.readTree("{\"id\":1,\"name\":\"Laptop\",\"price\":{\"amount\":5}}"), r.json());
        assertEquals(String.valueOf(r.body().length), r.header("Content-Length"));
        assertTrue(r.header("ETag").matches("W/\"p1-t[0-9a-f]+\""), r.header("ETag"));
    }

    @Test
    void aCompositionsMergedAnswerIsTransformedAfterItsCallsRoutesTransformedTheirs() throws Exception {
        WireResponse r = get("/api/wrapped/1");

        assertEquals(200, r.status(), r.toString());
        assertEquals("/api/wrapped/1", r.json().get("path").asText());
        assertEquals(JSON.readTree("{\"id\":1,\"title\":\"Laptop\",\"price\":{\"amount\":5}}"), r.json().get("data"));
        assertEquals(String.valueOf(r.body().length), r.header("Content-Length"));
        assertTrue(count("wrapped", "transformed") >= 1);
    }

    @Test
    void limitCountAndAverageSummariseArrays() throws Exception {
        assertEquals(JSON.readTree("{\"items\":[1,2,3,4,5],\"reviewCount\":3,\"rating\":4.3,"
                + "\"none\":null}"), get("/api/stats").json());
    }

    @Test
    void aHeadAnswerDoesNotCarryTheUntransformedLengthOrEtag() throws Exception {
        WireResponse get = get("/api/products");
        WireResponse head = WireClient.exchange(gateway.port(), "HEAD", "/api/products");

        assertEquals(200, head.status(), head.toString());
        assertEquals("HEAD", upstream.lastRequest().method());
        // RFC 9110 9.3.2: a HEAD answer may omit what only generating the content determines, and its
        // Content-Length must be the GET's if sent; the upstream's 600-odd bytes are not the GET's length.
        assertNull(head.header("Content-Length"), head.toString());
        assertEquals(get.header("ETag"), head.header("ETag"), "the transformed GET's validator, not the upstream's");
        assertEquals("application/json", head.header("Content-Type"));
        assertNull(head.header("Server"), "the response header edits apply to HEAD as to GET");
        assertEquals("v2", head.header("X-Shape"));

        WireResponse untouched = WireClient.exchange(gateway.port(), "HEAD", "/api/raw/text");
        assertEquals(String.valueOf("{\"a\":1} but text".length()), untouched.header("Content-Length"),
                "a body the GET would not transform keeps its length");
    }

    @Test
    void anErrorAnswerIsNotTransformed() throws Exception {
        WireResponse r = get("/api/products/404");

        assertEquals(404, r.status());
        assertEquals("{\"error\":\"no such product\"}", r.bodyText());
    }

    @Test
    void requestHeadersAndQueryAreEditedForTheUpstreamOnly() throws Exception {
        WireResponse r = get("/api/echo?q=shoes&debug=1&limit=500&a=%2F", "X-Debug: yes", "X-Old: o1",
                "X-Api: 1", "X-Default: client");

        assertEquals(200, r.status());
        RecordedRequest up = upstream.lastRequest();
        assertEquals("/api/echo?query=shoes&a=%2F&limit=10&page=1", up.target());
        assertNull(up.header("X-Debug"));
        assertNull(up.header("X-Old"));
        assertEquals("o1", up.header("X-New"));
        assertEquals(List.of("2"), up.headers("X-Api"));
        assertEquals(List.of("client"), up.headers("X-Default"), "add fills in only a header the client did not send");
    }

    @Test
    void bodiesThatAreNotPlainJsonPassUntouchedAndAreCounted() throws Exception {
        long notJson = count("raw", "not_json");
        long invalid = count("raw", "invalid_json");
        long encoded = count("raw", "encoded");

        WireResponse text = get("/api/raw/text");
        assertEquals("{\"a\":1} but text", text.bodyText());
        WireResponse bad = get("/api/raw/invalid");
        assertEquals("{\"a\":1,", bad.bodyText());
        assertEquals("\"i\"", bad.header("ETag"), "an untouched body keeps its ETag");
        assertEquals("7", bad.header("Content-Length"));
        assertEquals("{\"a\":1} {\"a\":2}", get("/api/raw/trailing").bodyText());
        WireResponse gzip = get("/api/raw/gzip");
        assertEquals("{\"a\":1}", gzip.bodyText());

        assertEquals(notJson + 1, count("raw", "not_json"));
        assertEquals(invalid + 2, count("raw", "invalid_json"));
        assertEquals(encoded + 1, count("raw", "encoded"));
    }

    @Test
    void aChunkedJsonBodyWithinTheLimitIsTransformed() throws Exception {
        WireResponse r = get("/api/raw/small-chunked");

        assertEquals("{\"b\":2}", r.bodyText());
        assertEquals("7", r.header("Content-Length"));
    }

    @Test
    void bodiesOverTheLimitStreamThroughUntouchedWithOrWithoutALength() throws Exception {
        long tooLarge = count("raw", "too_large");

        WireResponse declared = get("/api/raw/large");
        assertEquals(200, declared.status());
        assertEquals(200_000, declared.bodyLength());
        assertEquals(GeneratedBytes.sha256(200_000), declared.bodySha256());
        assertEquals("200000", declared.header("Content-Length"));

        WireResponse chunked = get("/api/raw/large-chunked");
        assertEquals(200, chunked.status());
        assertEquals(200_000, chunked.bodyLength());
        assertEquals(GeneratedBytes.sha256(200_000), chunked.bodySha256());

        assertEquals(tooLarge + 2, count("raw", "too_large"));
    }

    @Test
    void hostileJsonIsBoundedNeverA500() throws Exception {
        WireResponse deep = get("/api/raw/deep");
        assertEquals(200, deep.status());
        assertEquals(40_000, deep.bodyLength(), "nesting deeper than the limit passes untouched");

        WireResponse wide = get("/api/raw/wide");
        assertEquals(200, wide.status());
        assertEquals(4001, wide.json().size(), "a wide array within the limit is transformed");

        // The gateway still answers normally afterwards.
        assertEquals(200, get("/api/products/1").status());
    }
}
