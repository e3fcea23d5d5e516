package io.concierge.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.RequestObserver;
import io.concierge.gateway.pipeline.Identity;
import io.concierge.gateway.rewrite.RawPath;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;

/**
 * Key resolution and {@code match} on real requests: a server on an ephemeral port turns each
 * request into an exchange (route from {@code X-Route}, identity's consumer from
 * {@code X-Consumer}, client IP fixed) and answers one line per limit: {@code name: applies key}
 * (the key's separator shown as {@code |}).
 */
class KeyResolverTest {
    private static final Map<String, RateLimitConfig> LIMITS = new LinkedHashMap<>();
    private static WebServer server;

    @BeforeAll
    static void start() {
        LIMITS.put("ip", LocalCounterTest.config("{name: ip, limit: 5}"));
        LIMITS.put("all", LocalCounterTest.config("{name: all, limit: 5, key: [client-ip, route, consumer, header:X-Client]}"));
        LIMITS.put("plan", LocalCounterTest.config("""
                {name: plan, key: consumer, algorithm: token-bucket, plans: {default: free,
                    tiers: {free: {limit: 2, window: 1m, burst: 2}, pro: {limit: 5, window: 1m, burst: 5}},
                    consumers: {app: pro}}}"""));
        LIMITS.put("post-orders", LocalCounterTest.config("{name: po, limit: 5, match: {methods: [POST], paths: [/api/orders/**]}}"));
        server = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.any((req, res) -> {
            Exchange ex = new Exchange(req, res, RequestObserver.NONE, "192.0.2.7");
            ex.requestId("rid");
            ex.path(RawPath.parse(req.prologue().uriPath().rawPath(), false));
            ex.route(req.headers().first(HeaderNames.create("X-Route")).orElse(null), Map.of());
            req.headers().first(HeaderNames.create("X-Consumer"))
                    .ifPresent(c -> ex.attribute(Identity.class, new Identity("sub-" + c, Set.of(), Set.of(), c, "test")));
            StringBuilder sb = new StringBuilder();
            LIMITS.forEach((name, c) -> {
                KeyResolver keys = new KeyResolver(c);
                sb.append(name).append(": ").append(new LimitMatch(c).applies(ex)).append(' ')
                        .append(keys.key(ex, keys.tier(ex)).replace('\u001f', '|')).append('\n');
            });
            res.send(sb.toString());
        })).build().start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private static Map<String, String> lines(String method, String target, String... headers) throws IOException {
        WireResponse r = WireClient.exchange(server.port(), method, target, headers);
        assertEquals(200, r.status(), r.toString());
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : r.bodyText().split("\n")) {
            int colon = line.indexOf(": ");
            m.put(line.substring(0, colon), line.substring(colon + 2));
        }
        return m;
    }

    @Test
    void everyKeyPartIsResolvedFromTheRequest() throws IOException {
        Map<String, String> m = lines("POST", "/api/orders/7", "X-Route: orders", "X-Consumer: app", "X-Client: abc");
        assertEquals("true ip=192.0.2.7", m.get("ip"));
        assertEquals("true ip=192.0.2.7|r=orders|c=app|h=abc", m.get("all"));
        assertEquals("true pro|c=app", m.get("plan"), "the consumer's tier comes first");
        assertEquals("true ip=192.0.2.7", m.get("post-orders"));
    }

    @Test
    void withoutIdentityOrHeaderTheClientIpStandsInAndWithoutRouteTheEdge() throws IOException {
        Map<String, String> m = lines("GET", "/api/orders/7");
        assertEquals("true ip=192.0.2.7|r=edge|ip=192.0.2.7|ip=192.0.2.7", m.get("all"));
        assertEquals("true free|ip=192.0.2.7", m.get("plan"), "an unknown consumer counts in the default tier");
        assertEquals("false ip=192.0.2.7", m.get("post-orders"), "the limit matches POST only");
    }

    @Test
    void aLimitMatchesOnlyItsPaths() throws IOException {
        assertEquals("false ip=192.0.2.7", lines("POST", "/api/users/7").get("post-orders"));
    }

    @Test
    void aLongKeyIsStoredAsItsHash() throws IOException {
        String all = lines("GET", "/x", "X-Client: " + "v".repeat(300)).get("all");
        assertTrue(all.startsWith("true #"), all);
        assertEquals("true #".length() + 43, all.length(), "SHA-256, base64url without padding");
    }
}
