package io.concierge.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.cluster.ClusterMember;
import io.concierge.gateway.config.ClusterConfig;
import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * Two gateway instances of one domain, each with its own member of a real two-member Hazelcast
 * cluster, in front of real upstreams ({@link WireUpstream}) that count what reaches them. Every
 * RFC 9111 rule the cache implements is checked by what the client sees ({@code Cache-Status},
 * {@code Age}, bodies) and by how many requests reached the upstream. Tests share the cluster
 * (starting members is the slow part) and each uses its own paths; the cluster-loss test runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedCacheIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TOKEN = "test-admin-token";

    private static final List<HazelcastInstance> members = new ArrayList<>();
    private static final List<GatewayServer> gateways = new ArrayList<>();
    private static WireUpstream upstream;
    private static WireUpstream fragile;
    private static GatewayServer withoutToken;
    private static final AtomicInteger version = new AtomicInteger(1);
    private static volatile CountDownLatch slowGate = new CountDownLatch(1);
    private static volatile boolean failing;

    private static String yaml(int port, int fragilePort) {
        return """
                domain: shop
                prefixes: [/api]
                discovery: {type: static}
                cache:
                  cluster-timeout: 2s   # a loaded test machine must not turn a slow call into a bypass
                  defaults: {lock-timeout: 10s}
                services:
                  up:
                    instances: [{url: "http://127.0.0.1:%d"}]
                  fragile:
                    instances: [{url: "http://127.0.0.1:%d"}]
                routes:
                  - id: down
                    match: {path: /api/down/**}
                    service: fragile
                    cache: true
                  - id: small
                    match: {path: /api/small/**}
                    service: up
                    cache: {max-object-size: 1KB}
                  - id: swr
                    match: {path: /api/swr/**}
                    service: up
                    cache: {stale-while-revalidate: 60s}
                  - id: uncached
                    match: {path: /api/uncached/**}
                    service: up
                  - id: all
                    match: {path: /api/**}
                    service: up
                    cache: true
                """.formatted(port, fragilePort);
    }

    /** What the upstream answers, by path; the body names the path and a version so tests see changes. */
    private static UpstreamReply reply(RecordedRequest r) throws InterruptedException {
        String p = r.path();
        String body = "{\"path\":\"" + p + "\",\"v\":" + version.get() + "}";
        UpstreamReply ok = UpstreamReply.json(200, body.getBytes(StandardCharsets.UTF_8));
        if (p.startsWith("/api/fresh/")) {
            return ok.header("Cache-Control", "public, max-age=60");
        }
        if (p.startsWith("/api/aged/")) {
            return ok.header("Cache-Control", "max-age=60").header("Age", "10");
        }
        if (p.startsWith("/api/vary/")) {
            String lang = r.headers("Accept-Language").isEmpty() ? "none" : r.headers("Accept-Language").get(0);
            return UpstreamReply.json(200, ("{\"lang\":\"" + lang + "\"}").getBytes(StandardCharsets.UTF_8))
                    .header("Cache-Control", "max-age=60").header("Vary", "Accept-Language");
        }
        if (p.startsWith("/api/private/")) {
            return ok.header("Cache-Control", "private, max-age=60");
        }
        if (p.startsWith("/api/nostore/")) {
            return ok.header("Cache-Control", "no-store");
        }
        if (p.startsWith("/api/nocache/")) {
            return ok.header("Cache-Control", "no-cache");
        }
        if (p.startsWith("/api/cookie/")) {
            return ok.header("Cache-Control", "max-age=60").header("Set-Cookie", "session=abc");
        }
        if (p.startsWith("/api/auth/")) {
            return ok.header("Cache-Control", "max-age=60");
        }
        if (p.startsWith("/api/authpublic/")) {
            return ok.header("Cache-Control", "public, max-age=60");
        }
        if (p.startsWith("/api/etag/")) {
            String tag = "\"v" + version.get() + "\"";
            if (r.headers("If-None-Match").contains(tag)) {
                return new UpstreamReply(304, "Not Modified", List.of("ETag: " + tag, "Cache-Control: max-age=0"),
                        new UpstreamReply.Empty());
            }
            return ok.header("Cache-Control", "max-age=0").header("ETag", tag);
        }
        if (p.startsWith("/api/fresh-etag/")) {
            return ok.header("Cache-Control", "max-age=60").header("ETag", "\"e1\"")
                    .header("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT");
        }
        if (p.startsWith("/api/swr/")) {
            return ok.header("Cache-Control", "max-age=0");
        }
        if (p.startsWith("/api/sie/")) {
            if (failing) {
                return UpstreamReply.text(503, "down");
            }
            return ok.header("Cache-Control", "max-age=0, stale-if-error=300");
        }
        if (p.startsWith("/api/slow/")) {
            slowGate.await();
            return ok.header("Cache-Control", "max-age=60");
        }
        if (p.startsWith("/api/small/")) {
            int n = Integer.parseInt(p.substring(p.lastIndexOf('/') + 1));
            return new UpstreamReply(200, "OK", List.of("Cache-Control: max-age=60"),
                    new UpstreamReply.Generated(n, p.contains("/chunked/")));
        }
        if (p.startsWith("/api/tagged/")) {
            String tag = p.substring(p.lastIndexOf('/') + 1);
            return ok.header("Cache-Control", "max-age=60").header("Surrogate-Key", "all-tagged " + tag);
        }
        if (p.startsWith("/api/hugevary/")) {
            StringBuilder vary = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                vary.append("X-H").append(i).append(", ");
            }
            return ok.header("Cache-Control", "max-age=60").header("Vary", vary.toString());
        }
        return ok.header("Cache-Control", "max-age=60");
    }

    @BeforeAll
    static void start() {
        String cluster = "cache-test-" + UUID.randomUUID();
        int base = Poll.freePortBlock(20);
        ClusterConfig cc = new ClusterConfig(cluster, "127.0.0.1", base, 20, List.of("127.0.0.1"),
                Duration.ofSeconds(3));
        for (int i = 0; i < 2; i++) {
            members.add(ClusterMember.start(cc, "cache-member-" + i + "-" + UUID.randomUUID()));
        }
        Poll.until("two cluster members", WAIT, () -> members.stream()
                .allMatch(m -> m.getCluster().getMembers().size() == 2));
        upstream = WireUpstream.start(SharedCacheIT::reply);
        fragile = WireUpstream.start(r -> UpstreamReply.json(200, "{\"fragile\":true}".getBytes(StandardCharsets.UTF_8))
                .header("Cache-Control", "max-age=1, stale-if-error=300"));
        GatewayConfig config = GatewayConfig.parse("shop.yaml", yaml(upstream.port(), fragile.port()),
                k -> k.equals("ADMIN_TOKEN") ? TOKEN : null);
        for (HazelcastInstance hz : members) {
            gateways.add(GatewayServer.start(config, new StaticDiscovery(List.of()), hz));
        }
        // No cluster and no admin token: every request proxied uncached, admin writes refused.
        withoutToken = GatewayServer.start(GatewayConfig.parse("shop.yaml", yaml(upstream.port(), fragile.port()),
                k -> null), new StaticDiscovery(List.of()));
    }

    @AfterAll
    static void stop() {
        slowGate.countDown();
        for (GatewayServer g : gateways) {
            closeQuietly(g);
        }
        closeQuietly(withoutToken);
        members.forEach(m -> {
            if (m.getLifecycleService().isRunning()) {
                m.getLifecycleService().terminate();
            }
        });
        if (upstream != null) {
            upstream.close();
        }
        if (fragile != null) {
            fragile.close();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // best effort
        }
    }

    private static WireResponse get(int gateway, String target, String... headers) {
        return send(gateway, "GET", target, headers);
    }

    private static WireResponse send(int gateway, String method, String target, String... headers) {
        try {
            return WireClient.exchange(gateways.get(gateway).port(), method, target, headers);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long upstreamCount(String path) {
        return upstream.requests().stream().filter(r -> r.path().equals(path)).count();
    }

    private static String cacheStatus(WireResponse r) {
        return r.header("Cache-Status");
    }

    // --- freshness, Age, Cache-Status, cross-instance ----------------------------------------------

    @Test
    @Order(1)
    void aResponseStoredThroughOneInstanceIsAHitOnTheOther() {
        WireResponse first = get(0, "/api/fresh/1");
        assertEquals(200, first.status());
        assertEquals("Concierge; fwd=uri-miss; fwd-status=200; stored; ttl=60", cacheStatus(first));
        WireResponse second = get(1, "/api/fresh/1");
        assertEquals(200, second.status());
        assertEquals(first.bodyText(), second.bodyText());
        assertTrue(cacheStatus(second).matches("Concierge; hit; ttl=(59|60)"), cacheStatus(second));
        assertNotNull(second.header("Age"));
        assertEquals("public, max-age=60", second.header("Cache-Control"));
        assertNotNull(second.header("X-Request-Id"));
        assertEquals(1, upstreamCount("/api/fresh/1"));
    }

    @Test
    @Order(2)
    void ageCountsTheUpstreamAgeAndHeadIsServedFromTheStoredGet() {
        get(0, "/api/aged/1");
        WireResponse hit = get(1, "/api/aged/1");
        assertTrue(Integer.parseInt(hit.header("Age")) >= 10, hit.header("Age"));
        assertTrue(cacheStatus(hit).matches("Concierge; hit; ttl=(49|50)"), cacheStatus(hit));
        WireResponse head = send(0, "HEAD", "/api/aged/1");
        assertEquals(200, head.status());
        assertTrue(cacheStatus(head).startsWith("Concierge; hit"), cacheStatus(head));
        assertEquals(String.valueOf(hit.body().length), head.header("Content-Length"));
        assertEquals(1, upstreamCount("/api/aged/1"));
    }

    @Test
    @Order(3)
    void varyKeepsOneVariantPerRequestHeaderValue() {
        WireResponse en = get(0, "/api/vary/1", "Accept-Language: en");
        assertTrue(cacheStatus(en).contains("fwd=uri-miss"), cacheStatus(en));
        WireResponse de = get(1, "/api/vary/1", "Accept-Language: de");
        assertTrue(cacheStatus(de).contains("fwd=vary-miss"), cacheStatus(de));
        assertEquals("{\"lang\":\"de\"}", de.bodyText());
        WireResponse en2 = get(1, "/api/vary/1", "Accept-Language: en");
        assertTrue(cacheStatus(en2).startsWith("Concierge; hit"), cacheStatus(en2));
        assertEquals("{\"lang\":\"en\"}", en2.bodyText());
        assertEquals(2, upstreamCount("/api/vary/1"));
    }

    @Test
    @Order(4)
    void privateNoStoreSetCookieAndAuthorizationAreNotStored() {
        for (String path : List.of("/api/private/1", "/api/nostore/1", "/api/cookie/1")) {
            WireResponse a = get(0, path);
            WireResponse b = get(1, path);
            assertEquals(200, b.status());
            assertTrue(cacheStatus(b).contains("fwd=uri-miss") && cacheStatus(b).contains("detail="), cacheStatus(b));
            assertEquals(2, upstreamCount(path), path);
        }
        assertTrue(cacheStatus(get(0, "/api/cookie/1")).endsWith("detail=set-cookie"));
        WireResponse auth = get(0, "/api/auth/1", "Authorization: Bearer x");
        assertTrue(cacheStatus(auth).endsWith("detail=authorization"), cacheStatus(auth));
        get(0, "/api/auth/1", "Authorization: Bearer x");
        assertEquals(2, upstreamCount("/api/auth/1"));
        get(0, "/api/authpublic/1", "Authorization: Bearer x");
        WireResponse pub = get(1, "/api/authpublic/1", "Authorization: Bearer y");
        assertTrue(cacheStatus(pub).startsWith("Concierge; hit"), "public allows storing: " + cacheStatus(pub));
        assertEquals(1, upstreamCount("/api/authpublic/1"));
    }

    @Test
    @Order(5)
    void requestNoCacheForwardsAndNoStoreBypasses() {
        get(0, "/api/fresh/2");
        WireResponse forced = get(1, "/api/fresh/2", "Cache-Control: no-cache");
        assertTrue(cacheStatus(forced).startsWith("Concierge; fwd=request"), cacheStatus(forced));
        WireResponse noStore = get(1, "/api/fresh/2", "Cache-Control: no-store");
        assertEquals("Concierge; fwd=request; detail=no-store", cacheStatus(noStore));
        assertEquals(3, upstreamCount("/api/fresh/2"));
        WireResponse onlyIfCached = get(0, "/api/fresh/never", "Cache-Control: only-if-cached");
        assertEquals(504, onlyIfCached.status());
        assertEquals("application/problem+json", onlyIfCached.header("Content-Type"));
    }

    // --- validation ---------------------------------------------------------------------------------

    @Test
    @Order(6)
    void aStaleEntryIsRevalidatedAnd304RefreshesIt() {
        WireResponse first = get(0, "/api/etag/1");
        assertTrue(cacheStatus(first).contains("stored"), cacheStatus(first));
        WireResponse second = get(1, "/api/etag/1");
        assertEquals(200, second.status());
        assertEquals(first.bodyText(), second.bodyText());
        assertTrue(cacheStatus(second).startsWith("Concierge; fwd=stale; fwd-status=304; stored"), cacheStatus(second));
        List<RecordedRequest> seen = upstream.requests().stream().filter(r -> r.path().equals("/api/etag/1")).toList();
        assertEquals(2, seen.size());
        assertEquals(List.of("\"v" + version.get() + "\""), seen.get(1).headers("If-None-Match"));
        JsonNode cache = admin(1).path("routes").path("all");
        assertTrue(cache.path("notModified").asLong() >= 1, cache.toString());
    }

    @Test
    @Order(7)
    void aClientConditionalRequestIsAnswered304FromAFreshEntry() {
        get(0, "/api/fresh-etag/1");
        WireResponse inm = get(1, "/api/fresh-etag/1", "If-None-Match: \"e0\", W/\"e1\"");
        assertEquals(304, inm.status());
        assertEquals("\"e1\"", inm.header("ETag"));
        assertTrue(cacheStatus(inm).startsWith("Concierge; hit"), cacheStatus(inm));
        WireResponse ims = get(0, "/api/fresh-etag/1", "If-Modified-Since: Wed, 02 Dec 2026 10:00:00 GMT");
        assertEquals(304, ims.status());
        WireResponse older = get(0, "/api/fresh-etag/1", "If-Modified-Since: Mon, 30 Nov 2026 10:00:00 GMT");
        assertEquals(200, older.status());
        assertEquals(1, upstreamCount("/api/fresh-etag/1"));
    }

    // --- coalescing ---------------------------------------------------------------------------------

    @Test
    @Order(8)
    void concurrentColdRequestsOverTwoInstancesMakeOneUpstreamRequest() throws Exception {
        int n = 8;
        String path = "/api/slow/1";
        long missesBefore = misses(0) + misses(1);
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<WireResponse>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int g = i % 2;
                answers.add(clients.submit(() -> get(g, path)));
            }
            upstream.awaitRequests(1, WAIT);
            // Every request reached the cache step (each counts a miss) before the upstream answers.
            Poll.until("all " + n + " requests waiting in the cache step", WAIT,
                    () -> misses(0) + misses(1) - missesBefore == n);
            slowGate.countDown();
            int collapsed = 0;
            for (Future<WireResponse> f : answers) {
                WireResponse r = f.get(30, TimeUnit.SECONDS);
                assertEquals(200, r.status());
                if (cacheStatus(r).contains("collapsed")) {
                    collapsed++;
                }
            }
            assertEquals(1, upstreamCount(path), "one upstream request for " + n + " concurrent misses");
            assertEquals(n - 1, collapsed);
        } finally {
            clients.shutdownNow();
        }
    }

    // --- stale-while-revalidate, stale-if-error -----------------------------------------------------

    @Test
    @Order(9)
    void staleWhileRevalidateServesStaleAndRefreshesOnceInTheBackground() {
        get(0, "/api/swr/1");
        // The miss releases its lease (asynchronously) after the client has the whole answer; a stale
        // request that comes first rightly leaves the refresh to the lease holder, so wait for it.
        Poll.until("the miss's lease to be released", WAIT,
                () -> members.get(0).getMap("concierge.cache.shop.leases").isEmpty());
        WireResponse stale = get(1, "/api/swr/1");
        assertEquals(200, stale.status());
        assertTrue(cacheStatus(stale).startsWith("Concierge; hit; ttl=") && cacheStatus(stale)
                .endsWith("detail=stale-while-revalidate"), cacheStatus(stale));
        Poll.until("one background refresh", WAIT, () -> upstreamCount("/api/swr/1") == 2);
    }

    @Test
    @Order(10)
    void staleIfErrorServesTheStoredResponseWhenTheUpstreamAnswers5xx() {
        WireResponse first = get(0, "/api/sie/1");
        failing = true;
        try {
            WireResponse stale = get(1, "/api/sie/1");
            assertEquals(200, stale.status());
            assertEquals(first.bodyText(), stale.bodyText());
            assertTrue(cacheStatus(stale).startsWith("Concierge; fwd=stale; fwd-status=503; ttl=-")
                    && cacheStatus(stale).endsWith("detail=stale-if-error"), cacheStatus(stale));
        } finally {
            failing = false;
        }
    }

    @Test
    @Order(11)
    void staleIfErrorServesTheStoredResponseWhenTheUpstreamIsDown() {
        WireResponse first = get(0, "/api/down/1");
        assertTrue(cacheStatus(first).contains("stored"), cacheStatus(first));
        fragile.close();
        // max-age=1: wait (bounded polling) until the entry is stale, then the upstream is refused.
        Poll.until("a stale answer while the service is down", WAIT, () -> {
            WireResponse r = get(1, "/api/down/1");
            return r.status() == 200 && cacheStatus(r).endsWith("detail=stale-if-error");
        });
        WireResponse again = get(0, "/api/down/1");
        assertEquals(200, again.status());
        assertEquals(first.bodyText(), again.bodyText());
        assertTrue(scrape(0).value("concierge_cache_requests_total", "route", "down", "result", "stale_if_error")
                + scrape(1).value("concierge_cache_requests_total", "route", "down", "result", "stale_if_error") >= 2);
    }

    // --- size limit ---------------------------------------------------------------------------------

    @Test
    @Order(12)
    void aBodyPastMaxObjectSizeStreamsThroughAndIsNotStored() {
        WireResponse small = get(0, "/api/small/fixed/1000");
        assertEquals(1000, small.body().length);
        assertTrue(cacheStatus(small).contains("stored"), cacheStatus(small));
        WireResponse big = get(0, "/api/small/fixed/5000");
        assertEquals(5000, big.body().length);
        assertTrue(cacheStatus(big).endsWith("detail=too-large"), cacheStatus(big));
        WireResponse chunked = get(0, "/api/small/chunked/5000");
        assertEquals(5000, chunked.body().length);
        get(1, "/api/small/fixed/5000");
        get(1, "/api/small/chunked/5000");
        assertTrue(cacheStatus(get(1, "/api/small/fixed/1000")).startsWith("Concierge; hit"));
        assertEquals(2, upstreamCount("/api/small/fixed/5000"));
        assertEquals(2, upstreamCount("/api/small/chunked/5000"), "a chunked body past the limit is not stored");
    }

    // --- purge --------------------------------------------------------------------------------------

    @Test
    @Order(13)
    void purgeByKeyPrefixAndTagEmptiesTheCacheForBothInstances() throws IOException {
        for (String p : List.of("/api/tagged/a", "/api/tagged/b", "/api/tagged/c")) {
            get(0, p);
            assertTrue(cacheStatus(get(1, p)).startsWith("Concierge; hit"));
        }
        assertEquals(403, purge(withoutToken.adminPort(), "key=/api/tagged/a", TOKEN).status());
        WireResponse wrong = purge(gateways.get(0).adminPort(), "key=/api/tagged/a", "nope");
        assertEquals(401, wrong.status());
        assertEquals("application/problem+json", wrong.header("Content-Type"));
        assertEquals(400, purge(gateways.get(0).adminPort(), "key=/a&tag=b", TOKEN).status());

        WireResponse byKey = purge(gateways.get(0).adminPort(), "key=/api/tagged/a", TOKEN);
        assertEquals(200, byKey.status());
        assertEquals(1, byKey.json().path("purged").asInt());
        assertTrue(cacheStatus(get(1, "/api/tagged/a")).contains("fwd=uri-miss"));
        assertTrue(cacheStatus(get(1, "/api/tagged/b")).startsWith("Concierge; hit"));

        assertEquals(1, purge(gateways.get(1).adminPort(), "tag=b", TOKEN).json().path("purged").asInt());
        assertTrue(cacheStatus(get(0, "/api/tagged/b")).contains("fwd=uri-miss"));
        assertTrue(cacheStatus(get(0, "/api/tagged/c")).startsWith("Concierge; hit"));

        WireResponse byPrefix = purge(gateways.get(0).adminPort(), "prefix=/api/tagged", TOKEN);
        assertEquals(3, byPrefix.json().path("purged").asInt());
        assertTrue(cacheStatus(get(1, "/api/tagged/c")).contains("fwd=uri-miss"));
        assertTrue(scrape(0).value("concierge_cache_purges_total") >= 2);
    }

    private static WireResponse purge(int adminPort, String query, String token) throws IOException {
        return WireClient.exchange(adminPort, "DELETE", "/admin/cache?" + query, "Authorization: Bearer " + token);
    }

    // --- hostile input, uncached routes, unsafe methods ------------------------------------------------

    @Test
    @Order(14)
    void hostileInputNeverFailsTheRequest() {
        WireResponse huge = get(0, "/api/hugevary/1");
        assertEquals(200, huge.status());
        assertTrue(cacheStatus(huge).endsWith("detail=vary"), cacheStatus(huge));
        WireResponse giant = get(0, "/api/giant/" + "x".repeat(3000));
        assertEquals(200, giant.status());
        assertEquals("Concierge; fwd=bypass; detail=key-too-long", cacheStatus(giant));
        WireResponse malformed = get(0, "/api/fresh/3", "Cache-Control: max-age=abc, ,,=,\"unterminated");
        assertEquals(200, malformed.status());
        WireResponse manyVary = get(0, "/api/vary/2", "Accept-Language: " + "x,".repeat(2000));
        assertEquals(200, manyVary.status());
        assertNull(get(0, "/api/uncached/1").header("Cache-Status"), "a route without cache has no cache step");
    }

    @Test
    @Order(15)
    void aSuccessfulUnsafeRequestInvalidatesTheStoredResponse() {
        get(0, "/api/fresh/4");
        assertTrue(cacheStatus(get(1, "/api/fresh/4")).startsWith("Concierge; hit"));
        WireResponse post = send(1, "POST", "/api/fresh/4", "Content-Length: 0");
        assertEquals("Concierge; fwd=method", cacheStatus(post));
        Poll.until("the entry dropped", WAIT, () -> cacheStatus(get(0, "/api/fresh/4")).contains("fwd=uri-miss"));
    }

    @Test
    @Order(16)
    void withoutAClusterTheRouteProxiesUncached() throws IOException {
        WireResponse r = WireClient.exchange(withoutToken.port(), "GET", "/api/fresh/5");
        assertEquals(200, r.status());
        assertEquals("Concierge; fwd=bypass; detail=cluster-unavailable", cacheStatus(r));
    }

    @Test
    @Order(99)
    void whenItsClusterMemberIsLostTheGatewayProxiesUncachedAndCountsIt() {
        get(1, "/api/fresh/6");
        members.get(1).getLifecycleService().terminate();
        for (int i = 0; i < 3; i++) {
            WireResponse r = get(1, "/api/fresh/6");
            assertEquals(200, r.status());
            assertEquals("Concierge; fwd=bypass; detail=cluster-unavailable", cacheStatus(r));
        }
        assertTrue(scrape(1).value("concierge_cache_requests_total", "route", "all", "result", "bypassed") >= 3);
        assertTrue(scrape(1).value("concierge_cache_cluster_errors_total") >= 1);
    }

    // --- helpers ------------------------------------------------------------------------------------

    private static long misses(int gateway) {
        return admin(gateway).path("routes").path("all").path("misses").asLong();
    }

    private static JsonNode admin(int gateway) {
        try {
            return WireClient.exchange(gateways.get(gateway).adminPort(), "GET", "/admin/cache").json();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PrometheusScrape scrape(int gateway) {
        try {
            return new PrometheusScrape(WireClient.exchange(gateways.get(gateway).adminPort(), "GET", "/metrics")
                    .bodyText());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
