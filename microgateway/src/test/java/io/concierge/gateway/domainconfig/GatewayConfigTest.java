package io.concierge.gateway.domainconfig;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.InstanceConfig;
import io.concierge.gateway.config.ListenConfig;
import io.concierge.gateway.config.LoadBalancing;
import io.concierge.gateway.config.ServerLimits;
import io.concierge.gateway.rewrite.RewriteConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configuration errors stop startup with one message naming the file, the YAML path and the
 * problem: {@code test.yaml: routes[1].id: duplicate route id 'x'}.
 */
class GatewayConfigTest {
    private static final String VALID = """
            domain: orders
            prefixes: [/api/orders]
            services:
              backend:
                instances:
                  - url: http://127.0.0.1:3003
            routes:
              - id: all
                match: {path: /api/orders/**}
                service: backend
            """;

    private static GatewayConfig parse(String yaml) {
        return parse(yaml, Map.of());
    }

    private static GatewayConfig parse(String yaml, Map<String, String> env) {
        return GatewayConfig.parse("test.yaml", yaml, env::get);
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void aMinimalFileGetsTheDocumentedDefaults() {
        GatewayConfig c = parse(VALID);

        assertEquals("test.yaml", c.file());
        assertEquals("orders", c.domain());
        assertEquals(new ListenConfig("127.0.0.1", 0), c.listen());
        assertEquals(List.of("/api/orders"), c.prefixes());
        assertEquals(ServerLimits.defaults(), c.limits());
        ServiceConfig s = c.services().get("backend");
        assertEquals(LoadBalancing.ROUND_ROBIN, s.loadBalancing());
        assertEquals(Duration.ofSeconds(1), s.connectTimeout());
        assertEquals(Duration.ofSeconds(30), s.readTimeout());
        assertEquals(List.of(new InstanceConfig("127.0.0.1", 3003, 1)), s.instances());
        RouteConfig r = c.routes().get(0);
        assertEquals("all", r.id());
        assertEquals(RewriteConfig.NONE, r.rewrite());
        assertEquals(null, r.readTimeout(), "the service's applies");
    }

    @Test
    void everyDocumentedKeyIsRead() {
        GatewayConfig c = parse("""
                domain: orders
                version: "7"
                listen: {host: 0.0.0.0, port: "${ORDERS_PORT:8083}"}
                admin: {port: 9083}
                prefixes: [/api/orders, /api/order-details]
                server: {max-header-size: 8192, max-uri-length: 2048, read-timeout: 5s, allow-encoded-slash: true}
                services:
                  backend:
                    load-balancing: weighted
                    timeouts: {connect: 250ms, read: 2m}
                    pool: {max-idle: 8, idle-timeout: 3s}
                    instances:
                      - {url: "http://orders-1:3003", weight: 3}
                      - {url: "http://orders-2", weight: 1}
                routes:
                  - id: by-id
                    match:
                      path: /api/orders/{id}
                      methods: [get, HEAD]
                      headers: {X-Tenant: a}
                    rewrite: {strip-prefix: /api/orders, add-prefix: /orders}
                    service: backend
                    timeouts: {read: 1h}
                  - id: details
                    match: {path: /api/order-details/**, methods: GET}
                    rewrite: {regex: "^/api/order-details", replacement: /details}
                    service: backend
                """, Map.of("ORDERS_PORT", "18083"));

        assertEquals("7", c.version());
        assertEquals(new ListenConfig("0.0.0.0", 18083), c.listen());
        assertEquals(new ListenConfig("127.0.0.1", 9083), c.admin());
        assertEquals(new ServerLimits(8192, 2048, Duration.ofSeconds(5), Duration.ofSeconds(10), true), c.limits());
        ServiceConfig s = c.services().get("backend");
        assertEquals(LoadBalancing.WEIGHTED, s.loadBalancing());
        assertEquals(Duration.ofMillis(250), s.connectTimeout());
        assertEquals(Duration.ofMinutes(2), s.readTimeout());
        assertEquals(8, s.maxIdle());
        assertEquals(Duration.ofSeconds(3), s.idleTimeout());
        assertEquals(List.of(new InstanceConfig("orders-1", 3003, 3), new InstanceConfig("orders-2", 80, 1)),
                s.instances());
        RouteConfig byId = c.routes().get(0);
        assertEquals(java.util.Set.of("GET", "HEAD"), byId.methods());
        assertEquals(Map.of("X-Tenant", "a"), byId.headers());
        assertEquals("/api/orders", byId.rewrite().stripPrefix());
        assertEquals("/orders", byId.rewrite().addPrefix());
        assertEquals(Duration.ofHours(1), byId.readTimeout());
        RouteConfig details = c.routes().get(1);
        assertEquals(java.util.Set.of("GET"), details.methods(), "a single method may be written without a list");
        assertEquals("^/api/order-details", details.rewrite().regex().pattern());
    }

    static List<List<String>> errors() {
        return List.of(
                // unknown keys: a typo is an error, naming what was expected there
                List.of(VALID.replace("    instances:", "    pool: {max-idel: 3}\n    instances:"),
                        "test.yaml: services.backend.pool.max-idel: unknown key (known keys here: idle-timeout, max-idle)"),
                List.of(VALID.replace("domain: orders", "domain: orders\nlisten: {prot: 80}"),
                        "test.yaml: listen.prot: unknown key (known keys here: h2c, host, port, tls)"),
                List.of(VALID.replace("service: backend", "service: backend\n    timeouts: {reed: 1s}"),
                        "test.yaml: routes[0].timeouts.reed: unknown key (known keys here: connect, read)"),
                List.of(VALID.replace("{path: /api/orders/**}", "{path: /api/orders/**, method: GET}"),
                        "test.yaml: routes[0].match.method: unknown key (known keys here: headers, methods, path)"),
                // durations
                List.of(VALID.replace("    instances:", "    timeouts: {read: fast}\n    instances:"),
                        "test.yaml: services.backend.timeouts.read: bad duration 'fast' (use a whole number with ms,"
                                + " s, m or h, e.g. 250ms or 5s)"),
                List.of(VALID.replace("service: backend", "service: backend\n    timeouts: {connect: 5 sec}"),
                        "test.yaml: routes[0].timeouts.connect: bad duration '5 sec' (use a whole number with ms,"
                                + " s, m or h, e.g. 250ms or 5s)"),
                List.of(VALID.replace("domain: orders", "domain: orders\nserver: {read-timeout: -1s}"),
                        "test.yaml: server.read-timeout: bad duration '-1s' (use a whole number with ms, s, m or h,"
                                + " e.g. 250ms or 5s)"),
                // routes
                List.of(VALID + """
                          - id: all
                            match: {path: /api/orders/x}
                            service: backend
                        """, "test.yaml: routes[1].id: duplicate route id 'all'"),
                List.of(VALID.replace("path: /api/orders/**", "path: /api/users/**"),
                        "test.yaml: routes[0].match.path: '/api/users/**' is outside the domain's prefixes [/api/orders]"),
                List.of(VALID.replace("path: /api/orders/**", "path: /api/**"),
                        "test.yaml: routes[0].match.path: '/api/**' is outside the domain's prefixes [/api/orders]"),
                List.of(VALID.replace("path: /api/orders/**", "path: /api/ordersX/**"),
                        "test.yaml: routes[0].match.path: '/api/ordersX/**' is outside the domain's prefixes [/api/orders]"),
                List.of(VALID.replace("service: backend", "service: nope"),
                        "test.yaml: routes[0].service: unknown service 'nope' (services: backend)"),
                List.of(VALID.replace("path: /api/orders/**", "path: /api/orders/**/x"),
                        "test.yaml: routes[0].match.path: '**' may only be the last segment of '/api/orders/**/x'"),
                List.of(VALID.replace("{path: /api/orders/**}", "{path: /api/orders/**, methods: [GET, FETCH]}"),
                        "test.yaml: routes[0].match.methods: unknown HTTP method 'FETCH'"),
                List.of(VALID.replace("match: {path: /api/orders/**}", "match: {methods: [GET]}"),
                        "test.yaml: routes[0].match.path: is required"),
                List.of(VALID.replace("service: backend", "service: backend\n    rewrite: {strip-prefix: /api/orders/}"),
                        "test.yaml: routes[0].rewrite.strip-prefix: must start with '/' and not end with '/'"
                                + " (was '/api/orders/')"),
                List.of(VALID.replace("service: backend", "service: backend\n    rewrite: {regex: '^/api', replacement: /x,"
                                + " add-prefix: /y}"),
                        "test.yaml: routes[0].rewrite.regex: use either regex/replacement or strip-prefix/add-prefix,"
                                + " not both"),
                List.of(VALID.replace("service: backend", "service: backend\n    rewrite: {regex: '^/api('}"),
                        "test.yaml: routes[0].rewrite.replacement: regex and replacement go together"),
                List.of(VALID.substring(0, VALID.indexOf("routes:")) + "routes: []\n",
                        "test.yaml: routes: at least one route is required"),
                // services
                List.of(VALID.replace("    instances:", "    load-balancing: random\n    instances:"),
                        "test.yaml: services.backend.load-balancing: unknown value 'random' (allowed: round-robin,"
                                + " least-in-flight, weighted)"),
                List.of(VALID.replace("url: http://127.0.0.1:3003", "{url: http://127.0.0.1:3003, weight: 0}"),
                        "test.yaml: services.backend.instances[0].weight: must be between 1 and 1000 (was 0)"),
                List.of(VALID.replace("url: http://127.0.0.1:3003", "url: http://127.0.0.1:3003/orders"),
                        "test.yaml: services.backend.instances[0].url: must not have a path; use the route's rewrite"
                                + " instead (was 'http://127.0.0.1:3003/orders')"),
                List.of(VALID.replace("url: http://127.0.0.1:3003", "url: ftp://127.0.0.1:3003"),
                        "test.yaml: services.backend.instances[0].url: must be an http://host:port or"
                                + " https://host:port URL (was 'ftp://127.0.0.1:3003')"),
                List.of(VALID.replace("    instances:\n      - url: http://127.0.0.1:3003", "    instances: []"),
                        "test.yaml: services.backend.instances: a service needs at least one instance"),
                // the root
                List.of(VALID.replace("domain: orders", "domain: Orders"),
                        "test.yaml: domain: must be lower-case letters, digits and '-' (was 'Orders')"),
                List.of(VALID.replace("prefixes: [/api/orders]", "prefixes: [/api/orders/]"),
                        "test.yaml: prefixes[0]: a prefix is a literal path starting with '/', without a trailing '/',"
                                + " wildcards, percent-encoding or dot segments (was '/api/orders/')"),
                List.of(VALID.replace("domain: orders", "domain: orders\nlisten: {port: 70000}"),
                        "test.yaml: listen.port: must be between 0 and 65535 (was 70000)"),
                List.of(VALID.replace("domain: orders", "domain: orders\nlisten: {port: eighty}"),
                        "test.yaml: listen.port: expected an integer, got 'eighty'"),
                List.of(VALID.replace("domain: orders", "domain: orders\nlisten: {port: \"${NO_SUCH_PORT}\"}"),
                        "test.yaml: listen.port: environment variable NO_SUCH_PORT is not set and has no default"
                                + " (write ${NO_SUCH_PORT:default})"),
                List.of(VALID.replace("domain: orders", "domain: orders\nservices-typo: {}"),
                        "test.yaml: services-typo: unknown key"),
                List.of("", "test.yaml: (root): file is empty"),
                List.of("- just\n- a list\n", "test.yaml: (root): expected a mapping, got a list"));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void anInvalidFileFailsWithFileYamlPathAndReason(List<String> yamlAndMessage) {
        String message = error(yamlAndMessage.get(0));
        String expected = yamlAndMessage.get(1);
        if (expected.endsWith("unknown key")) {
            // the list of known keys at the root grows with every feature; the path and reason do not
            assertTrue(message.startsWith(expected + " (known keys here: "), message);
        } else {
            assertEquals(expected, message);
        }
    }

    @Test
    void badYamlNamesTheLine() {
        String message = error("""
                domain: orders
                prefixes: [/api/orders
                services: {}
                """);
        assertTrue(message.startsWith("test.yaml: (root): not valid YAML at line 3: "), message);
    }

    @Test
    void theExceptionCarriesFileAndPathSeparately() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(VALID.replace("service: backend", "service: nope")));
        assertEquals("test.yaml", e.file());
        assertEquals("routes[0].service", e.path());
    }
}
