package io.concierge.gateway.composition;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend-for-frontend gateway (no service of its own) with a public, personalised endpoint, as
 * the mobile domain's home: calls marked {@code when: authenticated} are not made without a token
 * (nothing placed, not partial), are made as the caller with one, and a failing one is partial. The
 * answer is reshaped and wrapped in the envelope by the composition's transformation.
 */
class CallerOnlyCallsIT {
    private static final String BFF = """
            domain: mobile
            listen: {host: 127.0.0.1, port: 0}
            admin: {host: 127.0.0.1, port: 0}
            prefixes: [/api/mobile]
            %s
            compositions:
              - id: home
                match: {path: /api/mobile/home}
                auth: {access: optional}
                calls:
                  - {name: featured, domain: products, path: /api/products, required: false, default: []}
                  - {name: profile, domain: users, path: "/api/users/${caller.subject}", when: authenticated,
                     at: me, pick: [name], required: false}
                  - {name: orders, domain: orders, path: "/api/orders?userId=${caller.subject}",
                     when: authenticated, at: me.orders, required: false}
                transform:
                  response:
                    body:
                      - limit: {/featured: 2}
                      - count: {/me/orders: /me/orders}
                    envelope: true
            """;
    private static final String DOMAIN = """
            domain: %s
            listen: {host: 127.0.0.1, port: 0}
            admin: {host: 127.0.0.1, port: 0}
            prefixes: [/api/%s]
            %s
            services:
              backend:
                instances: [{url: "http://127.0.0.1:%d"}]
            routes:
              - id: all
                match: {path: "/api/%s/**", methods: [GET]}
                service: backend
                auth: {access: %s}
            """;

    private final MemoryDiscovery discovery = new MemoryDiscovery();
    private final Resources resources = new Resources();
    private volatile boolean ordersFail;
    private WireUpstream userService;
    private WireUpstream orderService;
    private GatewayServer bff;

    private GatewayServer gateway(String yaml) {
        return resources.track(GatewayServer.start(GatewayConfig.parse("test.yaml", yaml, Map.<String, String>of()::get),
                discovery));
    }

    private static UpstreamReply json(String text) {
        return UpstreamReply.json(200, text.getBytes(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void start() {
        WireUpstream productService = resources.track(WireUpstream.start(r ->
                json("[{\"id\":\"p1\"},{\"id\":\"p2\"},{\"id\":\"p3\"}]")));
        userService = resources.track(WireUpstream.start(r -> json("{\"id\":\"1\",\"name\":\"Alice\",\"email\":\"a@x\"}")));
        orderService = resources.track(WireUpstream.start(r -> ordersFail ? UpstreamReply.status(500)
                : json("[{\"id\":\"o1\"},{\"id\":\"o2\"},{\"id\":\"o3\"}]")));
        String security = Hs256.securityYaml();
        gateway(DOMAIN.formatted("products", "products", security, productService.port(), "products", "public"));
        gateway(DOMAIN.formatted("users", "users", security, userService.port(), "users", "authenticated"));
        gateway(DOMAIN.formatted("orders", "orders", security, orderService.port(), "orders", "authenticated"));
        bff = gateway(BFF.formatted(security));
    }

    @AfterEach
    void stop() throws Exception {
        resources.close();
    }

    private WireResponse home(String... headers) throws Exception {
        return WireClient.exchange(bff.port(), "GET", "/api/mobile/home", headers);
    }

    @Test
    void withoutATokenTheCallerOnlyCallsAreNotMadeAndNothingIsPartial() throws Exception {
        WireResponse r = home();

        assertEquals(200, r.status(), r.bodyText());
        JsonNode data = r.json().path("data");
        assertEquals(2, data.path("featured").size());
        assertFalse(data.has("me"), data.toString());
        assertFalse(data.has("_partial"), data.toString());
        assertNull(r.header("X-Concierge-Partial"));
        assertEquals(0, userService.requestCount() + orderService.requestCount());
    }

    @Test
    void withATokenTheyAreMadeAsTheCaller() throws Exception {
        WireResponse r = home("Authorization: Bearer " + Hs256.token("1", "customer"));

        assertEquals(200, r.status(), r.bodyText());
        JsonNode me = r.json().path("data").path("me");
        assertEquals("Alice", me.path("name").asText(), r.bodyText());
        assertEquals(3, me.path("orders").asInt(), r.bodyText());
        assertEquals("/api/orders?userId=1", orderService.lastRequest().target());
        assertEquals("1", orderService.lastRequest().header("X-Auth-Subject"), "the orders gateway verified the token");
        assertEquals(401, home("Authorization: Bearer nonsense").status());
    }

    @Test
    void aFailingCallerOnlyCallIsPartial() throws Exception {
        ordersFail = true;
        WireResponse r = home("Authorization: Bearer " + Hs256.token("1", "customer"));

        assertEquals(200, r.status(), r.bodyText());
        JsonNode data = r.json().path("data");
        assertEquals("Alice", data.path("me").path("name").asText());
        assertTrue(data.path("me").path("orders").isNull(), r.bodyText());
        assertEquals("orders", data.path("_partial").path("missing").get(0).asText(), r.bodyText());
        assertEquals("orders", r.header("X-Concierge-Partial"));
    }
}
