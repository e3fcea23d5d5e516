package io.concierge.gateway.composition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A composition in the orders gateway that calls the users and products gateways directly, found
 * in discovery: two users gateways share the calls; one going away (cleanly, or dead but still
 * registered) costs nothing; a domain with no gateway left fails its part (required: 503;
 * optional: partial). Each target gateway authorizes the call as the original caller and sees
 * the original client's address.
 */
class CrossDomainCompositionIT {
    private static final String USERS = """
            domain: users
            listen: {host: 127.0.0.1, port: 0}
            admin: {host: 127.0.0.1, port: 0}
            prefixes: [/api/users]
            %s
            services:
              user-service:
                instances: [{url: "http://127.0.0.1:%d"}]
            routes:
              - id: user-by-id
                match: {path: "/api/users/{id}", methods: [GET]}
                service: user-service
                ip: {deny: [198.51.100.0/24]}
                auth:
                  owner: {path-param: id, claim: sub, unless-roles: [admin]}
            """;
    private static final String PRODUCTS = """
            domain: products
            listen: {host: 127.0.0.1, port: 0}
            admin: {host: 127.0.0.1, port: 0}
            prefixes: [/api/products]
            services:
              product-service:
                instances: [{url: "http://127.0.0.1:%d"}]
            routes:
              - id: product-by-id
                match: {path: "/api/products/{id}", methods: [GET]}
                service: product-service
            """;
    private static final String ORDERS = """
            domain: orders
            listen: {host: 127.0.0.1, port: 0}
            admin: {host: 127.0.0.1, port: 0}
            prefixes: [/api/orders, /api/order-details]
            %s
            services:
              order-service:
                instances: [{url: "http://127.0.0.1:%d"}]
            routes:
              - id: order-by-id
                match: {path: "/api/orders/{id}", methods: [GET]}
                service: order-service
            compositions:
              - id: order-details
                match: {path: "/api/order-details/{orderId}"}
                auth: {access: authenticated}
                timeout: 5s
                calls:
                  - {name: order, service: order-service, path: "/api/orders/${path.orderId}", at: .}
                  - {name: customer, domain: users, path: "/api/users/${order.userId}", timeout: 2s}
                  - name: product
                    domain: products
                    for-each: ${order.items[*].productId}
                    path: /api/products/${each}
                    at: items[*].product
                    required: false
            """;

    private final MemoryDiscovery discovery = new MemoryDiscovery();
    private final Resources resources = new Resources();
    private WireUpstream userService1;
    private WireUpstream userService2;
    private GatewayServer users1;
    private GatewayServer users2;
    private GatewayServer products;
    private GatewayServer orders;

    private GatewayServer gateway(String yaml) {
        GatewayConfig config = GatewayConfig.parse("test.yaml", yaml, Map.<String, String>of()::get);
        return resources.track(GatewayServer.start(config, discovery));
    }

    private static UpstreamReply json(String text) {
        return UpstreamReply.json(200, text.getBytes(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void start() {
        WireUpstream.Responder users = r -> {
            String id = r.path().substring("/api/users/".length());
            return json("{\"id\":\"" + id + "\",\"name\":\"user " + id + "\",\"seenSubject\":\"" + r.header("X-Auth-Subject")
                    + "\"}");
        };
        userService1 = resources.track(WireUpstream.start(users));
        userService2 = resources.track(WireUpstream.start(users));
        WireUpstream productService = resources.track(WireUpstream.start(r -> {
            String id = r.path().substring("/api/products/".length());
            return id.equals("p404") ? UpstreamReply.status(404) : json("{\"id\":\"" + id + "\",\"name\":\"product " + id + "\"}");
        }));
        WireUpstream orderService = resources.track(WireUpstream.start(r -> switch (r.path()) {
            case "/api/orders/o1" -> json("{\"id\":\"o1\",\"userId\":\"1\",\"items\":[{\"productId\":\"p1\"},{\"productId\":\"p2\"}]}");
            case "/api/orders/o2" -> json("{\"id\":\"o2\",\"userId\":\"2\",\"items\":[{\"productId\":\"p1\"}]}");
            case "/api/orders/o3" -> json("{\"id\":\"o3\",\"userId\":\"1\",\"items\":[{\"productId\":\"p1\"},{\"productId\":\"p404\"}]}");
            default -> UpstreamReply.status(404);
        }));
        users1 = gateway(USERS.formatted(Hs256.securityYaml(), userService1.port()));
        users2 = gateway(USERS.formatted(Hs256.securityYaml(), userService2.port()));
        products = gateway(PRODUCTS.formatted(productService.port()));
        orders = gateway(ORDERS.formatted(Hs256.securityYaml(), orderService.port()));
    }

    @AfterEach
    void stop() throws Exception {
        resources.close();
    }

    private WireResponse details(String orderId, String... headers) throws Exception {
        return WireClient.exchange(orders.port(), "GET", "/api/order-details/" + orderId, headers);
    }

    private static String alice() {
        return "Authorization: Bearer " + Hs256.token("1", "customer");
    }

    @Test
    void callsGoGatewayToGatewayAsTheCaller() throws Exception {
        WireResponse r = details("o1", alice(), "X-Forwarded-For: 203.0.113.5", "X-Request-Id: cross-1");
        assertEquals(200, r.status(), r.bodyText());
        JsonNode doc = r.json();
        assertEquals("o1", doc.path("id").asText());
        assertEquals("1", doc.path("customer").path("id").asText());
        assertEquals("1", doc.path("customer").path("seenSubject").asText(), "the users gateway verified the token itself");
        assertEquals("product p1", doc.path("items").get(0).path("product").path("name").asText());
        assertEquals("product p2", doc.path("items").get(1).path("product").path("name").asText());
        RecordedRequest atUsers = userService1.requestCount() > 0 ? userService1.lastRequest() : userService2.lastRequest();
        assertEquals("cross-1", atUsers.header("X-Request-Id"));
        assertTrue(atUsers.header("X-Forwarded-For").startsWith("203.0.113.5,"), atUsers.header("X-Forwarded-For"));
        assertTrue(atUsers.header("Via").contains("concierge-users"), "called the users gateway, not the service");
    }

    @Test
    void nobodyComposesTheirWayIntoAnotherUsersData() throws Exception {
        WireResponse r = details("o2", alice());
        assertEquals(403, r.status(), r.bodyText());
        assertEquals("customer", r.json().path("part").asText());
        assertEquals(0, userService1.requestCount() + userService2.requestCount());
        WireResponse admin = details("o2", "Authorization: Bearer " + Hs256.token("3", "admin"));
        assertEquals(200, admin.status(), admin.bodyText());
        assertEquals(401, details("o1").status());
    }

    @Test
    void theTargetGatewaysIpRulesSeeTheOriginalClient() throws Exception {
        WireResponse r = details("o1", alice(), "X-Forwarded-For: 198.51.100.7");
        assertEquals(403, r.status(), r.bodyText());
        assertEquals("customer", r.json().path("part").asText());
        assertEquals(0, userService1.requestCount() + userService2.requestCount());
    }

    @Test
    void callsAreBalancedOverTheDomainsGatewaysAndSurviveOneGoingAway() throws Exception {
        for (int i = 0; i < 6; i++) {
            assertEquals(200, details("o1", alice()).status());
        }
        assertEquals(3, userService1.requestCount(), "round robin over both users gateways");
        assertEquals(3, userService2.requestCount());

        users1.close();
        // A gateway that died without deregistering: its address refuses connections.
        discovery.register(new Registration("users-dead", "users", List.of("/api/users"), "127.0.0.1",
                WireUpstream.closedPort(), WireUpstream.closedPort(), System.currentTimeMillis(), Map.of()));
        for (int i = 0; i < 6; i++) {
            WireResponse r = details("o1", alice());
            assertEquals(200, r.status(), r.bodyText());
            assertEquals("1", r.json().path("customer").path("id").asText());
        }
        assertEquals(3, userService1.requestCount(), "nothing more reached the closed gateway's service");
        assertEquals(9, userService2.requestCount());
    }

    @Test
    void aDomainWithoutGatewaysFailsOnlyItsPart() throws Exception {
        products.close();
        WireResponse partial = details("o1", alice());
        assertEquals(200, partial.status(), partial.bodyText());
        JsonNode doc = partial.json();
        assertEquals("1", doc.path("customer").path("id").asText());
        assertTrue(doc.path("items").get(0).path("product").isNull());
        assertEquals("[\"product[0]\",\"product[1]\"]", doc.path("_partial").path("missing").toString());
        assertEquals("the call 'product[0]' found no live gateway of domain 'products'",
                doc.path("_partial").path("errors").path("product[0]").asText());
        assertEquals("product[0], product[1]", partial.header("X-Concierge-Partial"));

        users1.close();
        users2.close();
        WireResponse failed = details("o1", alice());
        assertEquals(503, failed.status(), failed.bodyText());
        assertEquals("customer", failed.json().path("part").asText());
        assertEquals("the call 'customer' found no live gateway of domain 'users'", failed.json().path("detail").asText());
    }

    @Test
    void oneMissingElementOfAnOptionalFanOutIsListedByIndex() throws Exception {
        WireResponse r = details("o3", alice());
        assertEquals(200, r.status(), r.bodyText());
        assertEquals("product p1", r.json().path("items").get(0).path("product").path("name").asText());
        assertTrue(r.json().path("items").get(1).path("product").isNull());
        assertEquals("[\"product[1]\"]", r.json().path("_partial").path("missing").toString());
        assertEquals("product[1]", r.header("X-Concierge-Partial"));
    }

    @Test
    void theOrdersGatewayWatchesDiscoveryForTheDomainsItComposes() {
        Poll.until("orders health lists 2 users gateways", Duration.ofSeconds(5), () -> {
            try {
                JsonNode h = WireClient.exchange(orders.adminPort(), "GET", "/health").json();
                return h.path("composition").path("domains").path("users").asInt() == 2
                        && h.path("composition").path("domains").path("products").asInt() == 1;
            } catch (Exception e) {
                return false;
            }
        });
    }
}
