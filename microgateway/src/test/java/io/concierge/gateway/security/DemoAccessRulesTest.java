package io.concierge.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireUpstream;

/**
 * The demo contract's access rules, with the domains' real gateway.yaml files and tokens shaped
 * exactly like the users service's (HS256, iss concierge-demo, sub, roles, iat, exp), in front of
 * a recording upstream standing in for each service.
 */
class DemoAccessRulesTest {
    static final String SECRET = "demo-access-test-secret-0123456789abcdef";
    static WireUpstream upstream;
    static GatewayServer users;
    static GatewayServer orders;
    static GatewayServer payments;

    @BeforeAll
    static void start() {
        upstream = WireUpstream.start(WireUpstream.echo());
        Map<String, String> env = Map.of("JWT_SECRET", SECRET, "USER_SERVICE_PORT", "" + upstream.port(),
                "ORDER_SERVICE_PORT", "" + upstream.port(), "PAYMENT_SERVICE_PORT", "" + upstream.port());
        users = start("users", env);
        orders = start("orders", env);
        payments = start("payments", env);
    }

    static GatewayServer start(String domain, Map<String, String> env) {
        GatewayConfig c = GatewayConfig.load(Path.of("..", "domains", domain, "gateway.yaml"),
                name -> env.containsKey(name) ? env.get(name) : System.getenv(name));
        return GatewayServer.start(c, new StaticDiscovery(List.of()));
    }

    @AfterAll
    static void stop() {
        users.close();
        orders.close();
        payments.close();
        upstream.close();
    }

    static String token(String sub, String role) {
        return TestTokens.hs("HmacSHA256", SECRET.getBytes(StandardCharsets.UTF_8), TestTokens.header("HS256", null),
                TestTokens.claims("concierge-demo", sub, role));
    }

    static int status(GatewayServer g, String method, String target, String token) throws IOException {
        String[] headers = token == null ? new String[] {"Content-Length: 0"}
                : new String[] {"Authorization: Bearer " + token, "Content-Length: 0"};
        return WireClient.exchange(g.port(), method, target, headers).status();
    }

    /** The last proxied request (the gateways' health checks of the upstream come in between). */
    static io.concierge.gateway.testing.RecordedRequest lastApiRequest() {
        List<io.concierge.gateway.testing.RecordedRequest> all = upstream.requests();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).path().startsWith("/api/")) {
                return all.get(i);
            }
        }
        throw new AssertionError("no API request reached the upstream");
    }

    @Test
    void usersDomain() throws IOException {
        String alice = token("1", "customer");
        String admin = token("3", "admin");
        assertEquals(200, status(users, "POST", "/api/auth/login", null), "login is public");
        assertEquals(401, status(users, "GET", "/api/users/1", null));
        assertEquals(200, status(users, "GET", "/api/users/1", alice));
        assertEquals(403, status(users, "GET", "/api/users/2", alice));
        assertEquals(200, status(users, "GET", "/api/users/2", admin));
        assertEquals(403, status(users, "GET", "/api/admin/users", alice));
        assertEquals(200, status(users, "GET", "/api/admin/users", admin));
        assertEquals(401, status(users, "GET", "/api/admin/users", token("3", "admin").replace('.', '!')));
    }

    @Test
    void ordersDomain() throws IOException {
        String alice = token("1", "customer");
        assertEquals(401, status(orders, "GET", "/api/orders?userId=1", null));
        assertEquals(200, status(orders, "GET", "/api/orders?userId=1", alice));
        assertEquals(403, status(orders, "GET", "/api/orders?userId=2", alice));
        assertEquals(200, status(orders, "GET", "/api/orders?userId=2", token("3", "admin")));
        assertEquals(200, status(orders, "GET", "/api/orders/o1", alice), "the service checks the order's owner");
        assertEquals("1", lastApiRequest().header("X-Auth-Subject"));
        assertEquals(401, status(orders, "POST", "/api/orders", null));
        assertEquals(200, status(orders, "POST", "/api/orders", alice));
    }

    @Test
    void paymentsDomain() throws IOException {
        assertEquals(401, status(payments, "POST", "/api/payments", null));
        assertEquals(401, status(payments, "GET", "/api/payments/pay1", null));
        assertEquals(200, status(payments, "GET", "/api/payments/pay1", token("2", "customer")));
        assertEquals("customer", lastApiRequest().header("X-Auth-Roles"));
    }
}
