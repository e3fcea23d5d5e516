package io.concierge.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.cluster.ClusterMember;
import io.concierge.gateway.config.ClusterConfig;
import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * The cache between version selection and the transformations (RouteChains.route: version → cache →
 * transform → version shape), as the products demo runs it: one stored representation per version,
 * never one version's body for another's request, whichever selector chose it, and the stored body
 * is the transformed one (a hit does not transform again, and still has the version's shape).
 */
class VersionedCacheIT {
    private static HazelcastInstance member;
    private static WireUpstream upstream;
    private static GatewayServer gateway;

    @BeforeAll
    static void start() {
        int base = Poll.freePortBlock(5);
        member = ClusterMember.start(new ClusterConfig("versioned-cache-" + UUID.randomUUID(), "127.0.0.1", base, 5,
                List.of("127.0.0.1"), Duration.ofSeconds(3)), "versioned-cache-" + UUID.randomUUID());
        upstream = WireUpstream.start(r -> UpstreamReply.json(200,
                        "{\"id\":\"p1\",\"name\":\"Beans\",\"price\":12.5,\"currency\":\"EUR\"}".getBytes(StandardCharsets.UTF_8))
                .header("Cache-Control", "public, max-age=60"));
        String yaml = """
                domain: products
                prefixes: [/api/products, /api/v1/products, /api/v2/products]
                discovery: {type: static}
                cache:
                  cluster-timeout: 2s
                services:
                  backend:
                    instances: [{url: "%s"}]
                routes:
                  - id: one
                    match: {path: "/api/products/{id}", methods: [GET]}
                    service: backend
                    cache: true
                versioning:
                  - id: catalog
                    routes: [one]
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
                              - rename: {/name: title}
                              - move: {/price: /price/amount, /currency: /price/currency}
                """.formatted(upstream.url());
        gateway = GatewayServer.start(GatewayConfig.parse("products.yaml", yaml, k -> null),
                new StaticDiscovery(List.of()), member);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (member != null) {
            member.getLifecycleService().terminate();
        }
    }

    private static WireResponse get(String target, String... headers) throws IOException {
        return WireClient.exchange(gateway.port(), "GET", target, headers);
    }

    private static long upstreamCalls() {
        return upstream.requests().size();
    }

    private static void assertV1(WireResponse r) {
        assertEquals(200, r.status());
        assertTrue(r.bodyText().contains("\"name\":\"Beans\""), r.bodyText());
        assertNotNull(r.header("Deprecation"), "version 1 is deprecated");
    }

    private static void assertV2(WireResponse r) {
        assertEquals(200, r.status());
        assertTrue(r.bodyText().contains("\"title\":\"Beans\""), r.bodyText());
        assertTrue(r.bodyText().contains("\"amount\":12.5"), r.bodyText());
        assertEquals(String.valueOf(r.body().length), r.header("Content-Length"));
    }

    @Test
    void eachVersionHasItsOwnStoredRepresentationWhateverSelectedIt() throws IOException {
        long before = upstreamCalls();
        WireResponse v2 = get("/api/products/p1", "API-Version: 2");
        assertV2(v2);
        assertTrue(v2.header("Vary").contains("API-Version"), "a header-selected version varies on it");

        WireResponse v1 = get("/api/products/p1");
        assertV1(v1);
        assertTrue(v1.header("Cache-Status").contains("fwd=vary-miss"), v1.header("Cache-Status"));

        WireResponse v2Hit = get("/api/products/p1", "API-Version: 2");
        assertV2(v2Hit);
        assertTrue(v2Hit.header("Cache-Status").contains("hit"), v2Hit.header("Cache-Status"));
        WireResponse v1Hit = get("/api/products/p1");
        assertV1(v1Hit);
        assertTrue(v1Hit.header("Cache-Status").contains("hit"), v1Hit.header("Cache-Status"));
        assertEquals(v2.bodyText(), v2Hit.bodyText(), "the stored body is the transformed one");

        // The media type is another request header: its own variant, version 2's shape.
        assertV2(get("/api/products/p1", "Accept: application/vnd.concierge.v2+json"));
        // URL segment and query are other URIs: their own entries, each in its version's shape.
        assertV2(get("/api/v2/products/p1"));
        assertV2(get("/api/v2/products/p1"));
        assertV2(get("/api/products/p1?version=2"));
        assertV1(get("/api/v1/products/p1"));
        // Upstream: v2 by header, v1, v2 by media type, /api/v2 (once: the second is a hit), ?version=2, /api/v1.
        assertEquals(6, upstreamCalls() - before);
    }
}
