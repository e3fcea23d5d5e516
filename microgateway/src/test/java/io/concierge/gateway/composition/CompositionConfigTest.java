package io.concierge.gateway.composition;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.domainconfig.GatewayConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code compositions} section: defaults, and one exact error (file + YAML path) per mistake. */
class CompositionConfigTest {
    private static final String BASE = """
            domain: orders
            prefixes: [/api/orders, /api/order-details, /api/dashboard]
            security:
              jwt:
                issuers:
                  demo: {issuer: demo, algorithms: [HS256], secret: test-secret-0123456789abcdef-0123456789}
            services:
              order-service:
                instances: [{url: "http://127.0.0.1:3003"}]
              audit-service:
                instances: [{url: "http://127.0.0.1:3009"}]
            routes:
              - id: orders
                match: {path: /api/orders, methods: [GET]}
                service: order-service
              - id: order-by-id
                match: {path: "/api/orders/{id}", methods: [GET]}
                service: order-service
              - id: create-order
                match: {path: /api/orders/new, methods: [POST]}
                service: order-service
            compositions:
            """;

    private static final String ORDER_DETAILS = """
              - id: order-details
                match: {path: "/api/order-details/{orderId}"}
                auth: {access: authenticated}
                timeout: 3s
                calls:
                  - name: order
                    service: order-service
                    path: /api/orders/${path.orderId}
                    at: .
                  - name: customer
                    domain: users
                    path: /api/users/${order.userId}
                    pick: [id, name]
                    rename: {name: fullName}
                    timeout: 1s
                  - name: product
                    domain: products
                    for-each: ${order.items[*].productId}
                    path: /api/products/${each}
                    at: items[*].product
                    required: false
                    default: {unavailable: true}
            """;

    private static GatewayConfig parse(String compositions) {
        return GatewayConfig.parse("test.yaml", BASE + compositions, Map.<String, String>of()::get);
    }

    private static String error(String compositions) {
        return assertThrows(ConfigException.class, () -> parse(compositions)).getMessage();
    }

    @Test
    void aValidCompositionIsReadWithItsDependenciesAndDefaults() {
        CompositionConfig c = parse(ORDER_DETAILS).compositions().get(0);
        assertEquals("order-details", c.id());
        assertEquals(Duration.ofSeconds(3), c.timeout());
        assertEquals(1024 * 1024, c.maxPartSize());
        assertEquals(8, c.fanOutConcurrency());
        assertEquals(100, c.maxFanOut());
        assertEquals(Set.of("users", "products"), c.domains());
        CompositionConfig.Call order = c.calls().get(0);
        assertEquals("order-service", order.service());
        assertTrue(order.at().isRoot());
        assertEquals(Duration.ofSeconds(3), order.timeout(), "a call's timeout defaults to the budget");
        assertTrue(order.required());
        CompositionConfig.Call customer = c.calls().get(1);
        assertEquals(Set.of("order"), customer.dependsOn());
        assertEquals("customer", customer.at().toString(), "the field defaults to the call's name");
        assertEquals(Map.of("name", "fullName"), customer.rename());
        CompositionConfig.Call product = c.calls().get(2);
        assertFalse(product.required());
        assertTrue(product.at().perElement());
        assertEquals("{\"unavailable\":true}", product.fallback().toString());
    }

    @Test
    void referencesToUnknownCallsAreRefused() {
        assertEquals("test.yaml: compositions[0].calls[1].path: ${ordr.userId} refers to an unknown call 'ordr'"
                + " (calls: order, customer, product)", error(ORDER_DETAILS.replace("${order.userId}", "${ordr.userId}")));
        assertEquals("test.yaml: compositions[0].calls[1].depends-on[0]: unknown call 'nothing'",
                error(ORDER_DETAILS.replace("timeout: 1s", "timeout: 1s\n        depends-on: [nothing]")));
    }

    @Test
    void cyclesAreRefusedNamingTheCycle() {
        String cyclic = ORDER_DETAILS.replace("path: /api/orders/${path.orderId}",
                "path: /api/orders/${path.orderId}\n        depends-on: [customer]");
        assertEquals("test.yaml: compositions[0].calls[0]: calls depend on each other in a cycle: order -> customer -> order",
                error(cyclic));
    }

    @Test
    void aCallTimeoutLongerThanTheBudgetIsRefused() {
        assertEquals("test.yaml: compositions[0].calls[1].timeout: 5000 ms is more than the composition's timeout of 3000 ms",
                error(ORDER_DETAILS.replace("timeout: 1s", "timeout: 5s")));
    }

    @Test
    void aRequiredCallCannotDependOnAnOptionalOne() {
        String yaml = ORDER_DETAILS.replace("at: .\n", "at: .\n        required: false\n");
        assertEquals("test.yaml: compositions[0].calls[1].required: the required call 'customer' depends on the optional"
                + " call 'order'; make it optional too, or 'order' required", error(yaml));
    }

    @Test
    void aLocalCallMustGoThroughAGetRouteOfTheNamedService() {
        assertEquals("test.yaml: compositions[0].calls[0].path: no GET route of this gateway matches"
                + " '/api/orders/new/${path.orderId}'; a local call goes through the route that would serve it",
                error(ORDER_DETAILS.replace("/api/orders/${path.orderId}", "/api/orders/new/${path.orderId}")));
        assertEquals("test.yaml: compositions[0].calls[0].service: '/api/orders/${path.orderId}' is served by route"
                + " 'order-by-id' of service 'order-service', not 'audit-service'",
                error(ORDER_DETAILS.replace("service: order-service\n", "service: audit-service\n")));
        assertEquals("test.yaml: compositions[0].calls[0].service: unknown service 'nope' (services: order-service,"
                + " audit-service)", error(ORDER_DETAILS.replace("service: order-service\n", "service: nope\n")));
    }

    @Test
    void aCallNamesExactlyOneTarget() {
        assertEquals("test.yaml: compositions[0].calls[1]: exactly one of 'service' (this gateway's) and 'domain'"
                + " (another gateway's) is required", error(ORDER_DETAILS.replace("domain: users",
                "domain: users\n        service: order-service")));
        assertEquals("test.yaml: compositions[0].calls[1].domain: 'orders' is this gateway's own domain; use 'service'"
                + " for local calls", error(ORDER_DETAILS.replace("domain: users", "domain: orders")));
    }

    @Test
    void expressionsAreCheckedAgainstWhatExists() {
        assertEquals("test.yaml: compositions[0].calls[0].path: ${path.id}: the endpoint's path"
                + " '/api/order-details/{orderId}' has no {id} parameter",
                error(ORDER_DETAILS.replace("${path.orderId}", "${path.id}")));
        assertEquals("test.yaml: compositions[0].calls[2].path: a for-each call must use ${each} in its path",
                error(ORDER_DETAILS.replace("/api/products/${each}", "/api/products/x")));
        assertEquals("test.yaml: compositions[0].calls[1].path: ${order.items[*].productId} selects many values;"
                + " a path takes one (use for-each)",
                error(ORDER_DETAILS.replace("${order.userId}", "${order.items[*].productId}")));
        assertEquals("test.yaml: compositions[0].calls[0].path: ${caller.subject} needs a verified caller, but the"
                + " endpoint's access is public", error(ORDER_DETAILS.replace("access: authenticated", "access: public")
                .replace("${path.orderId}", "${caller.subject}")));
    }

    @Test
    void placementsAreChecked() {
        assertEquals("test.yaml: compositions[0].calls[1].at: 'items[*].customer' places one result per element; it"
                + " needs for-each", error(ORDER_DETAILS.replace("pick: [id, name]", "pick: [id, name]\n        at: items[*].customer")));
        assertEquals("test.yaml: compositions[0].calls[1].at: 'a..b' is not '.', a field path like a.b, or"
                + " items[*].field", error(ORDER_DETAILS.replace("pick: [id, name]", "pick: [id, name]\n        at: a..b")));
        assertEquals("test.yaml: compositions[0].calls[2].at: 'customer' is already the place of the call 'customer'",
                error(ORDER_DETAILS.replace("at: items[*].product", "at: customer")));
        assertEquals("test.yaml: compositions[0].calls[1].default: only an optional call (required: false) has a default",
                error(ORDER_DETAILS.replace("pick: [id, name]", "pick: [id, name]\n        default: {}")));
    }

    @Test
    void lowerCasePlaceholdersAreLeftToCompositionsOnly() {
        CompositionConfig c = parse(ORDER_DETAILS).compositions().get(0);
        assertEquals("/api/products/${each}", c.calls().get(2).path().toString());
        ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfig.parse("test.yaml",
                BASE.replace("domain: orders", "domain: orders\nversion: ${each}") + ORDER_DETAILS,
                Map.<String, String>of()::get));
        assertEquals("test.yaml: version: environment variable each is not set and has no default (write ${each:default})",
                e.getMessage());
    }

    @Test
    void unknownKeysAndNamesAreRefused() {
        assertTrue(error(ORDER_DETAILS.replace("timeout: 1s", "timeout: 1s\n        retries: 3"))
                .startsWith("test.yaml: compositions[0].calls[1].retries: unknown key"));
        assertTrue(error(ORDER_DETAILS.replace("timeout: 3s", "timeout: 3s\n    budget: 3s"))
                .startsWith("test.yaml: compositions[0].budget: unknown key"));
        assertEquals("test.yaml: compositions[0].calls[1].name: 'each' is reserved (path, query, caller, each)",
                error(ORDER_DETAILS.replace("name: customer", "name: each")));
        assertEquals("test.yaml: compositions[0].id: duplicate id 'orders' (route and composition ids share one namespace)",
                error(ORDER_DETAILS.replace("id: order-details", "id: orders")));
    }

    @Test
    void theEndpointMustLieInTheDomainsPrefixesAndNotAnswerItsOwnCalls() {
        assertEquals("test.yaml: compositions[0].match.path: '/api/elsewhere/{orderId}' is outside the domain's"
                + " prefixes [/api/orders, /api/order-details, /api/dashboard]",
                error(ORDER_DETAILS.replace("/api/order-details/{orderId}", "/api/elsewhere/{orderId}")));
        assertEquals("test.yaml: compositions[0].match.path: route 'orders' (/api/orders) matches '/api/orders' at least as"
                + " specifically and would answer it first",
                error(ORDER_DETAILS.replace("/api/order-details/{orderId}", "/api/orders").replace("${path.orderId}", "o1")));
        assertEquals("test.yaml: compositions[0].calls: the call 'order' ('/api/orders/special') would be"
                + " answered by the composition 'order-details', not by a route",
                error(ORDER_DETAILS.replace("/api/order-details/{orderId}", "/api/orders/special")
                        .replace("/api/orders/${path.orderId}", "/api/orders/special")));
    }

    @Test
    void anEndpointsCredentialsAreCheckedAsARoutesAre() {
        assertEquals("test.yaml: compositions[0].auth.credentials: api-key needs at least one entry in"
                + " security.api-keys.consumers",
                error(ORDER_DETAILS.replace("auth: {access: authenticated}", "auth: {credentials: [api-key]}")));
        String apiKeysOnly = """
                  api-keys:
                    consumers:
                      ci: {keys: ["sha256:%s"]}
                """.formatted("ab".repeat(32));
        String withoutIssuers = BASE.substring(0, BASE.indexOf("  jwt:")) + apiKeysOnly
                + BASE.substring(BASE.indexOf("services:"));
        String message = assertThrows(ConfigException.class, () -> GatewayConfig.parse("test.yaml", withoutIssuers
                + ORDER_DETAILS.replace("auth: {access: authenticated}", "auth: {credentials: [jwt]}"),
                Map.<String, String>of()::get)).getMessage();
        assertEquals("test.yaml: compositions[0].auth.credentials: jwt needs at least one entry in security.jwt.issuers",
                message);
    }

    @Test
    void routeChecksPickTheRouteTheRouteTablePicks() {
        // Same path specificity: the route that names methods wins, whatever the file order, and a
        // route without methods does not shadow a composition (which names GET).
        String routes = """
                  - id: dashboard-any
                    match: {path: /api/dashboard}
                    service: order-service
                  - id: stats-any
                    match: {path: /api/dashboard/stats}
                    service: order-service
                  - id: stats-get
                    match: {path: /api/dashboard/stats, methods: [GET]}
                    service: audit-service
                compositions:
                """;
        String composition = """
                  - id: dash
                    match: {path: /api/dashboard}
                    calls:
                      - {name: stats, service: audit-service, path: /api/dashboard/stats}
                """;
        String base = BASE.replace("compositions:\n", routes);
        GatewayConfig config = GatewayConfig.parse("test.yaml", base + composition, Map.<String, String>of()::get);
        assertEquals("dash", config.compositions().get(0).id());
        String message = assertThrows(ConfigException.class, () -> GatewayConfig.parse("test.yaml",
                base + composition.replace("service: audit-service", "service: order-service"),
                Map.<String, String>of()::get)).getMessage();
        assertEquals("test.yaml: compositions[0].calls[0].service: '/api/dashboard/stats' is served by route"
                + " 'stats-get' of service 'audit-service', not 'order-service'", message);
    }

    @Test
    void callsForAVerifiedCallerOnlyAreCheckedAtLoad() {
        String home = """
                  - id: home
                    match: {path: /api/dashboard}
                    auth: {access: %s}
                    calls:
                      - name: featured
                        domain: products
                        path: /api/products
                      - name: me
                        domain: users
                        path: /api/users/${caller.subject}
                        %s
                        required: false
                """;
        CompositionConfig c = parse(home.formatted("optional", "when: authenticated")).compositions().get(0);
        assertTrue(c.calls().get(1).onlyWithCaller());
        assertFalse(c.calls().get(0).onlyWithCaller());
        assertEquals("test.yaml: compositions[0].calls[1].path: ${caller.subject} needs a verified caller, but the"
                + " endpoint's access is optional (add 'when: authenticated' to make the call only for a verified"
                + " caller)", error(home.formatted("optional", "")));
        assertEquals("test.yaml: compositions[0].calls[1].when: a public endpoint never verifies a caller; use access:"
                + " optional", error(home.formatted("public", "when: authenticated")));
        assertEquals("test.yaml: compositions[0].calls[1].when: the only condition is 'authenticated' (was 'always')",
                error(home.formatted("optional", "when: always")));
        String dependent = home.formatted("optional", "when: authenticated") + """
                      - name: orders
                        domain: payments
                        path: /api/payments?userId=${me.id}
                        required: false
                """;
        assertEquals("test.yaml: compositions[0].calls[2].when: the call 'orders' depends on 'me', which is made only"
                + " for a verified caller; give it 'when: authenticated' too", error(dependent));
    }
}
