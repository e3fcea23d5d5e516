package io.concierge.gateway.composition;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A local composition call runs in process through its route's chain and is counted once by rate
 * limits, as the client's own request to that route would be: once by the target route's limits,
 * keyed by the client (its consumer), and not again by the domain's limits, which counted the
 * client's request to the composition already. The composition endpoint's own limit counts
 * composition requests only. Real gateway and upstream on sockets; one gateway per test, so every
 * counter starts empty.
 */
class LocalCallRateLimitIT {
    private static final String YAML = """
            domain: shop
            listen: {host: 127.0.0.1, port: 0}
            admin: {host: 127.0.0.1, port: 0}
            prefixes: [/api]
            security:
              jwt:
                issuers:
                  test: {issuer: %s, algorithms: [HS256], secret: %s}
            %s
            services:
              backend:
                instances: [{url: "http://127.0.0.1:%d"}]
            routes:
              - id: items
                match: {path: "/api/items/**", methods: [GET]}
                service: backend
                auth: {access: authenticated}
                %s
            compositions:
              - id: pair
                match: {path: /api/pair}
                auth: {access: authenticated}
                %s
                calls:
                  - {name: one, service: backend, path: /api/items/one}
                  - {name: two, service: backend, path: /api/items/two}
            """;

    private final Resources resources = new Resources();

    @AfterEach
    void stop() throws Exception {
        resources.close();
    }

    private GatewayServer gateway(String domainLimits, String routeLimits, String compositionLimits) {
        WireUpstream upstream = resources.track(WireUpstream.start(LocalCallRateLimitIT::reply));
        return resources.track(TestGateways.start(YAML.formatted(Hs256.ISSUER, Hs256.SECRET, domainLimits,
                upstream.port(), routeLimits, compositionLimits)));
    }

    private static UpstreamReply reply(RecordedRequest r) {
        return UpstreamReply.json(200, ("{\"at\":\"" + r.path() + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static WireResponse get(GatewayServer g, String target, String token) throws Exception {
        return WireClient.exchange(g.port(), "GET", target, "Authorization: Bearer " + token);
    }

    @Test
    void theTargetRoutesLimitCountsEachLocalCallOncePerClientLikeADirectRequest() throws Exception {
        // Each composition makes two calls to 'items': 6 per minute per consumer is 3 compositions.
        GatewayServer g = gateway("", """
                rate-limits:
                      - {name: items-per-caller, key: consumer, limit: 6, window: 60s, mode: local}""", "");
        String alice = Hs256.token("alice");
        for (int i = 0; i < 3; i++) {
            WireResponse ok = get(g, "/api/pair", alice);
            assertEquals(200, ok.status(), "composition " + (i + 1) + ": " + ok.bodyText());
        }
        WireResponse limited = get(g, "/api/pair", alice);
        assertEquals(429, limited.status(), limited.bodyText());
        assertEquals("application/problem+json", limited.header("Content-Type"));
        String part = limited.json().get("part").asText();
        assertEquals(true, part.equals("one") || part.equals("two"), limited.bodyText());
        // The same budget as alice's direct requests to the route: spent.
        assertEquals(429, get(g, "/api/items/direct", alice).status());
        // Keyed by the client's consumer: bob's budget is his own.
        WireResponse bob = get(g, "/api/pair", Hs256.token("bob"));
        assertEquals(200, bob.status(), bob.bodyText());
    }

    @Test
    void domainLimitsCountTheClientsCompositionRequestNotEachLocalCallAgain() throws Exception {
        // Four requests per client and minute for the whole domain: four compositions of two local
        // calls each are four requests of the client, not twelve.
        GatewayServer g = gateway("""
                rate-limits:
                  - {name: per-client, key: client-ip, limit: 4, window: 60s, mode: local}""", "", "");
        String alice = Hs256.token("alice");
        for (int i = 0; i < 4; i++) {
            WireResponse ok = get(g, "/api/pair", alice);
            assertEquals(200, ok.status(), "composition " + (i + 1) + ": " + ok.bodyText());
        }
        WireResponse limited = get(g, "/api/pair", alice);
        assertEquals(429, limited.status(), limited.bodyText());
        assertNull(limited.json().get("part"), "the composition request itself is refused: " + limited.bodyText());
    }

    @Test
    void theCompositionsOwnLimitCountsCompositionRequestsOnly() throws Exception {
        GatewayServer g = gateway("", """
                rate-limits:
                      - {name: items-per-caller, key: consumer, limit: 7, window: 60s, mode: local}""", """
                rate-limits:
                      - {name: pairs-per-caller, key: consumer, limit: 2, window: 60s, mode: local}""");
        String alice = Hs256.token("alice");
        assertEquals(200, get(g, "/api/pair", alice).status());
        assertEquals(200, get(g, "/api/pair", alice).status());
        WireResponse limited = get(g, "/api/pair", alice);
        assertEquals(429, limited.status(), limited.bodyText());
        assertNull(limited.json().get("part"), "the composition's own limit, not a part: " + limited.bodyText());
        // The route counted the four local calls of the two compositions, not the refused one: 3 left.
        for (int i = 0; i < 3; i++) {
            WireResponse direct = get(g, "/api/items/direct", alice);
            assertEquals(200, direct.status(), "direct " + (i + 1) + ": " + direct.bodyText());
        }
        assertEquals(429, get(g, "/api/items/direct", alice).status());
    }
}
