package io.concierge.gateway.composition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compositions of one gateway over local routes, against a real upstream on a socket: parallel
 * calls, dependency chains, bounded fan-out, required and optional failures, per-call timeouts,
 * malformed and oversized parts, identity and authorization of each call. Concurrency is shown
 * with latches (a call holds until the other has arrived), never with timing.
 */
class CompositionIT {
    private static final String YAML = """
            domain: shop
            listen: {host: 127.0.0.1, port: 0}
            admin: {host: 127.0.0.1, port: 0}
            prefixes: [/api]
            %s
            services:
              backend:
                instances: [{url: "http://127.0.0.1:%d"}]
            routes:
              - id: items
                match: {path: "/api/items/**", methods: [GET]}
                service: backend
              - id: user
                match: {path: "/api/users/{id}", methods: [GET]}
                service: backend
                auth:
                  owner: {path-param: id, claim: sub, unless-roles: [admin]}
            compositions:
              - id: pair
                match: {path: "/api/pair/{id}"}
                calls:
                  - {name: left, service: backend, path: "/api/items/left/${path.id}"}
                  - {name: right, service: backend, path: "/api/items/right/${path.id}"}
              - id: chain
                match: {path: /api/chain}
                calls:
                  - {name: first, service: backend, path: /api/items/first, at: .}
                  - {name: second, service: backend, path: "/api/items/second/${first.next}"}
                  - {name: third, service: backend, path: "/api/items/third/${second.next}?from=${first.id}"}
                  - {name: slow, service: backend, path: /api/items/slow}
              - id: fan
                match: {path: /api/fan}
                fan-out: {max-concurrency: 2, max-items: 6}
                calls:
                  - {name: list, service: backend, path: /api/items/list, at: .}
                  - name: detail
                    service: backend
                    for-each: ${list.items[*].id}
                    path: /api/items/detail/${each}
                    at: items[*].detail
                    pick: [id, label]
                    rename: {label: name}
              - id: status
                match: {path: "/api/status/{code}"}
                calls:
                  - {name: main, service: backend, path: /api/items/main, at: .}
                  - {name: broken, service: backend, path: "/api/items/status/${path.code}"}
              - id: optional
                match: {path: "/api/optional/{code}"}
                calls:
                  - {name: main, service: backend, path: /api/items/main, at: .}
                  - {name: extras, service: backend, path: "/api/items/status/${path.code}", required: false, default: []}
                  - {name: held, service: backend, path: /api/items/held, required: false, timeout: 300ms}
              - id: deadline
                match: {path: /api/deadline}
                timeout: 5s
                calls:
                  - {name: main, service: backend, path: /api/items/main, at: .}
                  - {name: held, service: backend, path: /api/items/held, timeout: 300ms}
              - id: malformed
                match: {path: /api/malformed}
                calls:
                  - {name: main, service: backend, path: /api/items/main, at: .}
                  - {name: garbage, service: backend, path: /api/items/garbage}
              - id: oversized
                match: {path: /api/oversized}
                max-part-size: 1KB
                calls:
                  - {name: main, service: backend, path: /api/items/main, at: .}
                  - {name: huge, service: backend, path: /api/items/huge}
              - id: profile-of
                match: {path: "/api/profile-of/{id}"}
                auth: {access: authenticated}
                calls:
                  - {name: user, service: backend, path: "/api/users/${path.id}", at: .}
              - id: me
                match: {path: /api/me}
                auth: {access: authenticated}
                calls:
                  - {name: profile, service: backend, path: "/api/users/${caller.subject}"}
                  - {name: tags, service: backend, path: "/api/items/tags?user=${caller.subject}&q=${query.q}"}
              - id: segment
                match: {path: /api/segment}
                calls:
                  - {name: main, service: backend, path: "/api/items/seg/${query.x}", at: .}
              - id: dotted
                match: {path: /api/dotted}
                calls:
                  - {name: source, service: backend, path: /api/items/dots}
                  - {name: next, service: backend, path: "/api/items/seg/${source.next}"}
            """;

    private static WireUpstream upstream;
    private static GatewayServer gateway;
    private static volatile CountDownLatch pairArrived;
    private static volatile CountDownLatch thirdArrived;
    private static final CountDownLatch HELD = new CountDownLatch(1);
    private static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    private static final AtomicInteger MAX_IN_FLIGHT = new AtomicInteger();
    private static final AtomicInteger DETAILS_ARRIVED = new AtomicInteger();

    @BeforeAll
    static void start() {
        upstream = WireUpstream.start(CompositionIT::reply);
        gateway = TestGateways.start(YAML.formatted(Hs256.securityYaml(), upstream.port()));
    }

    @AfterAll
    static void stop() {
        HELD.countDown();
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.clearRequests();
    }

    private static UpstreamReply json(String text) {
        return UpstreamReply.json(200, text.getBytes(StandardCharsets.UTF_8));
    }

    private static UpstreamReply reply(RecordedRequest r) throws Exception {
        String[] s = r.path().split("/");
        String kind = s.length > 3 ? s[3] : "";
        if (s.length > 2 && s[2].equals("users")) {
            return json("{\"id\":\"" + s[3] + "\",\"name\":\"user " + s[3] + "\",\"seenSubject\":\""
                    + r.header("X-Auth-Subject") + "\"}");
        }
        switch (kind) {
            case "left", "right" -> {
                // Each side holds until the other has arrived: only parallel calls can both answer.
                pairArrived.countDown();
                boolean both = pairArrived.await(10, TimeUnit.SECONDS);
                return both ? json("{\"side\":\"" + kind + "\"}") : UpstreamReply.status(500);
            }
            case "first" -> {
                return json("{\"id\":\"f1\",\"next\":\"s 2\"}");
            }
            case "second" -> {
                return json("{\"got\":\"" + s[4] + "\",\"next\":\"t3\"}");
            }
            case "third" -> {
                thirdArrived.countDown();
                return json("{\"got\":\"" + s[4] + "\",\"query\":\"" + r.query() + "\"}");
            }
            case "slow" -> {
                // Released only once 'third', which needs first and second but not this call, has arrived.
                boolean ok = thirdArrived.await(10, TimeUnit.SECONDS);
                return ok ? json("{\"slow\":true}") : UpstreamReply.status(500);
            }
            case "list" -> {
                return json("{\"items\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"},{\"id\":\"d\"},{\"id\":\"e\"},{\"id\":\"f\"}]}");
            }
            case "detail" -> {
                synchronized (IN_FLIGHT) {
                    int now = IN_FLIGHT.incrementAndGet();
                    int arrived = DETAILS_ARRIVED.incrementAndGet();
                    MAX_IN_FLIGHT.accumulateAndGet(now, Math::max);
                    IN_FLIGHT.notifyAll();
                    // Hold each element until its partner (the next to arrive) is here too, so a working
                    // bound shows exactly 2 in flight, and a missing one more.
                    int partnerArrived = (arrived + 1) / 2 * 2;
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (DETAILS_ARRIVED.get() < partnerArrived && System.nanoTime() < end) {
                        IN_FLIGHT.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
                    }
                    IN_FLIGHT.decrementAndGet();
                }
                return json("{\"id\":\"" + s[4] + "\",\"label\":\"item " + s[4] + "\",\"secret\":1}");
            }
            case "main" -> {
                return json("{\"main\":true}");
            }
            case "status" -> {
                int code = Integer.parseInt(s[4]);
                return code == 200 ? json("[\"x\"]") : UpstreamReply.status(code);
            }
            case "held" -> {
                HELD.await();
                return json("{\"late\":true}");
            }
            case "garbage" -> {
                return UpstreamReply.text(200, "{\"unterminated\": [1, 2");
            }
            case "huge" -> {
                return UpstreamReply.generatedChunked(4096);
            }
            case "seg" -> {
                return json("{\"seg\":\"" + s[4] + "\"}");
            }
            case "dots" -> {
                return json("{\"next\":\"..\"}");
            }
            case "tags" -> {
                return json("{\"query\":\"" + r.query() + "\"}");
            }
            default -> {
                return UpstreamReply.status(404);
            }
        }
    }

    private static WireResponse get(String target, String... headers) throws Exception {
        return WireClient.exchange(gateway.port(), "GET", target, headers);
    }

    private static List<RecordedRequest> requestsTo(String pathPrefix) {
        List<RecordedRequest> out = new ArrayList<>();
        for (RecordedRequest r : upstream.requests()) {
            if (r.path().startsWith(pathPrefix)) {
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void independentCallsRunInParallel() throws Exception {
        pairArrived = new CountDownLatch(2);
        WireResponse r = get("/api/pair/7");
        assertEquals(200, r.status(), r.bodyText());
        assertEquals("left", r.json().path("left").path("side").asText());
        assertEquals("right", r.json().path("right").path("side").asText());
        assertEquals(1, requestsTo("/api/items/left/7").size());
    }

    @Test
    void dependentCallsWaitOnlyForWhatTheyNeed() throws Exception {
        thirdArrived = new CountDownLatch(1);
        WireResponse r = get("/api/chain");
        assertEquals(200, r.status(), r.bodyText());
        JsonNode doc = r.json();
        assertEquals("f1", doc.path("id").asText(), "'first' is merged at the top level");
        assertEquals("s%202", doc.path("second").path("got").asText(), "values are encoded as one path segment");
        assertEquals("t3", doc.path("third").path("got").asText());
        assertEquals("from=f1", doc.path("third").path("query").asText());
        assertTrue(doc.path("slow").path("slow").asBoolean());
        assertFalse(doc.has("_partial"));
        assertNull(r.header("X-Concierge-Partial"));
    }

    @Test
    void aFanOutKeepsItsConcurrencyBoundAndPlacesEachResult() throws Exception {
        MAX_IN_FLIGHT.set(0);
        DETAILS_ARRIVED.set(0);
        WireResponse r = get("/api/fan");
        assertEquals(200, r.status(), r.bodyText());
        JsonNode items = r.json().path("items");
        assertEquals(6, items.size());
        for (int i = 0; i < 6; i++) {
            String id = items.get(i).path("id").asText();
            assertEquals(id, items.get(i).path("detail").path("id").asText());
            assertEquals("item " + id, items.get(i).path("detail").path("name").asText(), "renamed from label");
            assertFalse(items.get(i).path("detail").has("secret"), "only picked fields are kept");
        }
        assertEquals(6, requestsTo("/api/items/detail/").size());
        assertEquals(2, MAX_IN_FLIGHT.get(), "at most fan-out.max-concurrency calls in flight, and that many reached");
    }

    @Test
    void aFailedRequiredCallFailsTheEndpointNamingThePart() throws Exception {
        WireResponse notFound = get("/api/status/404");
        assertEquals(404, notFound.status());
        assertEquals("application/problem+json", notFound.header("Content-Type"));
        assertEquals("broken", notFound.json().path("part").asText());
        assertEquals("the call 'broken' found nothing (404)", notFound.json().path("detail").asText());
        assertEquals(notFound.header("X-Request-Id"), notFound.json().path("requestId").asText());

        WireResponse failing = get("/api/status/500");
        assertEquals(502, failing.status());
        assertEquals("broken", failing.json().path("part").asText());
        assertEquals("the call 'broken' answered 500", failing.json().path("detail").asText());
    }

    @Test
    void aFailedOptionalCallBecomesItsDefaultAndIsListedAsPartial() throws Exception {
        WireResponse ok = get("/api/optional/200");
        assertEquals(200, ok.status(), ok.bodyText());
        assertEquals("[\"x\"]", ok.json().path("extras").toString());
        assertEquals("held", ok.header("X-Concierge-Partial"), "the held call hit its own 300 ms timeout");

        WireResponse partial = get("/api/optional/503");
        assertEquals(200, partial.status(), partial.bodyText());
        JsonNode doc = partial.json();
        assertTrue(doc.path("main").asBoolean());
        assertEquals("[]", doc.path("extras").toString(), "the declared default");
        assertTrue(doc.path("held").isNull(), "no default declared: null");
        assertEquals("[\"extras\",\"held\"]", doc.path("_partial").path("missing").toString());
        assertEquals("the call 'extras' answered 503", doc.path("_partial").path("errors").path("extras").asText());
        assertEquals("the call 'held' did not answer in time", doc.path("_partial").path("errors").path("held").asText());
        assertEquals("extras, held", partial.header("X-Concierge-Partial"));
        String metrics = WireClient.exchange(gateway.adminPort(), "GET", "/metrics").bodyText();
        assertTrue(metrics.matches("(?s).*\nconcierge_composition_partial_responses_total [1-9].*"), metrics);
        assertTrue(metrics.matches("(?s).*\nconcierge_composition_failed_calls_total [1-9].*"), metrics);
    }

    @Test
    void aRequiredCallOverItsOwnTimeoutIs504WithinTheBudget() throws Exception {
        WireResponse r = get("/api/deadline");
        assertEquals(504, r.status(), r.bodyText());
        assertEquals("held", r.json().path("part").asText());
        assertEquals("the call 'held' did not answer in time", r.json().path("detail").asText());
    }

    @Test
    void malformedJsonFromAPartIs502NamingIt() throws Exception {
        WireResponse r = get("/api/malformed");
        assertEquals(502, r.status());
        assertEquals("garbage", r.json().path("part").asText());
        assertEquals("the call 'garbage' answered malformed JSON", r.json().path("detail").asText());
    }

    @Test
    void aPartOverMaxPartSizeIs502NamingIt() throws Exception {
        WireResponse r = get("/api/oversized");
        assertEquals(502, r.status());
        assertEquals("huge", r.json().path("part").asText());
        assertEquals("the call 'huge' answered more than 1024 bytes (max-part-size)", r.json().path("detail").asText());
        // The connection that carried the oversized part was closed, not pooled: the next call is clean.
        assertEquals(200, get("/api/optional/200").status());
    }

    @Test
    void eachCallIsAuthorizedAsTheCallerByTheRouteItGoesThrough() throws Exception {
        String alice = "Authorization: Bearer " + Hs256.token("1", "customer");
        WireResponse own = get("/api/profile-of/1", alice, "X-Auth-Subject: 2", "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "X-Request-Id: compose-test-1", "X-Forwarded-For: 203.0.113.9");
        assertEquals(200, own.status(), own.bodyText());
        assertEquals("1", own.json().path("seenSubject").asText(), "the route's auth set the identity, the forged header was dropped");
        assertEquals("compose-test-1", own.header("X-Request-Id"));
        RecordedRequest seen = requestsTo("/api/users/1").get(0);
        assertEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", seen.header("traceparent"));
        assertEquals("compose-test-1", seen.header("X-Request-Id"));
        assertTrue(seen.header("X-Forwarded-For").startsWith("203.0.113.9"), seen.header("X-Forwarded-For"));

        upstream.clearRequests();
        WireResponse other = get("/api/profile-of/2", alice);
        assertEquals(403, other.status(), other.bodyText());
        assertEquals("user", other.json().path("part").asText());
        assertTrue(requestsTo("/api/users/").isEmpty(), "the upstream never saw the request for someone else's data");

        WireResponse admin = get("/api/profile-of/2", "Authorization: Bearer " + Hs256.token("3", "admin"));
        assertEquals(200, admin.status(), admin.bodyText());

        assertEquals(401, get("/api/profile-of/1").status(), "the endpoint itself needs a token");
        WireResponse forged = get("/api/profile-of/1", "Authorization: Bearer " + Hs256.token("1", "customer") + "x");
        assertEquals(401, forged.status());
    }

    @Test
    void callerAndQueryValuesReachTheCalls() throws Exception {
        WireResponse r = get("/api/me?q=a%20b&q=ignored", "Authorization: Bearer " + Hs256.token("2", "customer"));
        assertEquals(200, r.status(), r.bodyText());
        assertEquals("2", r.json().path("profile").path("id").asText());
        assertEquals("user=2&q=a%20b", r.json().path("tags").path("query").asText());

        // A parameter the endpoint needs, missing or unreadable, is the client's error.
        WireResponse missing = get("/api/me?p=1", "Authorization: Bearer " + Hs256.token("2", "customer"));
        assertEquals(400, missing.status(), missing.bodyText());
        assertEquals("the query parameter 'q' is required", missing.json().path("detail").asText());
        WireResponse garbled = get("/api/me?q=%zz", "Authorization: Bearer " + Hs256.token("2", "customer"));
        assertEquals(400, garbled.status(), garbled.bodyText());
        assertEquals("application/problem+json", garbled.header("Content-Type"));
    }

    @Test
    void aClientValueThatIsNotOnePathSegmentIs400AndNothingIsCalled() throws Exception {
        assertEquals(200, get("/api/segment?x=a.b").status(), "a dot inside a segment is fine");
        upstream.clearRequests();
        for (String x : List.of("..", ".", "%2E%2E", "a%2Fb", "a%5Cb", "")) {
            WireResponse r = get("/api/segment?x=" + x);
            assertEquals(400, r.status(), x + ": " + r.bodyText());
            assertEquals("application/problem+json", r.header("Content-Type"));
            assertEquals("main", r.json().path("part").asText());
        }
        assertTrue(requestsTo("/api/items/seg").isEmpty(), "nothing was called for a refused value");
    }

    @Test
    void aPartsValueThatIsNotOnePathSegmentIs502() throws Exception {
        WireResponse r = get("/api/dotted");
        assertEquals(502, r.status(), r.bodyText());
        assertEquals("next", r.json().path("part").asText());
        assertTrue(r.json().path("detail").asText().contains("'..'"), r.bodyText());
        assertTrue(requestsTo("/api/items/seg").isEmpty(), "the call was not made");
    }

    @Test
    void nestingIsCountedAndBounded() throws Exception {
        WireResponse nested = get("/api/optional/200", "X-Concierge-Composition-Depth: 2");
        assertEquals(200, nested.status(), nested.bodyText());
        assertEquals("3", requestsTo("/api/items/main").get(0).header("X-Concierge-Composition-Depth"));
        upstream.clearRequests();
        for (String depth : List.of("3", "99", "x")) {
            WireResponse refused = get("/api/optional/200", "X-Concierge-Composition-Depth: " + depth);
            assertEquals(400, refused.status(), refused.bodyText());
        }
        assertTrue(requestsTo("/api/items/").isEmpty(), "nothing was called for a refused request");
    }

    @Test
    void healthListsTheCompositions() throws Exception {
        WireResponse r = WireClient.exchange(gateway.adminPort(), "GET", "/health");
        assertEquals(200, r.status());
        assertTrue(r.json().path("composition").path("endpoints").toString().contains("\"pair\""), r.bodyText());
    }
}
