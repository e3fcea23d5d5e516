package io.concierge.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;

/** The domain's {@code cache} section and the routes' {@code cache}: defaults, overrides, exact errors. */
class CacheConfigTest {
    private static String yaml(String domainCache, String routeCache) {
        return """
                domain: shop
                prefixes: [/api]
                %s
                services:
                  s:
                    instances: [{url: "http://127.0.0.1:1"}]
                routes:
                  - id: a
                    match: {path: /api/a/**}
                    service: s
                    %s
                  - id: b
                    match: {path: /api/b/**}
                    service: s
                """.formatted(domainCache, routeCache);
    }

    private static GatewayConfig parse(String domainCache, String routeCache) {
        return GatewayConfig.parse("gateway.yaml", yaml(domainCache, routeCache), k -> null);
    }

    private static RouteConfig route(GatewayConfig c, String id) {
        return c.routes().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void cachingIsOffUnlessARouteOrTheDomainDefaultTurnsItOn() {
        GatewayConfig c = parse("", "");
        assertFalse(route(c, "a").cache().enabled());
        c = parse("", "cache: true");
        assertTrue(route(c, "a").cache().enabled());
        assertFalse(route(c, "b").cache().enabled());
        c = parse("cache: {defaults: {enabled: true, stale-if-error: 5m}}", "cache: false");
        assertFalse(route(c, "a").cache().enabled());
        assertTrue(route(c, "b").cache().enabled());
        assertEquals(Duration.ofMinutes(5), route(c, "b").cache().staleIfError());
    }

    @Test
    void aRouteMappingOverridesTheDomainDefaults() {
        GatewayConfig c = parse("cache: {max-entries: 500, tag-header: X-Tags, defaults: {max-object-size: 64KB}}",
                "cache: {heuristic: 30s, stale-while-revalidate: 10s, key-by-identity: true, statuses: [200]}");
        RouteCacheConfig a = route(c, "a").cache();
        assertTrue(a.enabled());
        assertEquals(64 * 1024, a.maxObjectSize());
        assertEquals(Duration.ofSeconds(30), a.heuristic());
        assertEquals(Duration.ofSeconds(10), a.staleWhileRevalidate());
        assertTrue(a.keyByIdentity());
        assertEquals(java.util.Set.of(200), a.statuses());
        assertEquals(500, c.cache().maxEntries());
        assertEquals("X-Tags", c.cache().tagHeader());
        assertNull(route(c, "b").cache().heuristic());
    }

    @Test
    void errorsNameTheFileAndYamlPath() {
        assertError("gateway.yaml: routes[0].cache.max-object-size: must be between 1 and 67108864 bytes (was 1GB)",
                "", "cache: {max-object-size: 1GB}");
        assertError("gateway.yaml: routes[0].cache.statuses[0]: must be a final status code 200-599 other than 206"
                + " and 304 (was 304)", "", "cache: {statuses: [304]}");
        assertError("gateway.yaml: routes[0].cache.ttl: unknown key (known keys here: enabled, heuristic,"
                + " key-by-identity, lock-timeout, max-object-size, stale-if-error, stale-while-revalidate, statuses,"
                + " store-set-cookie)", "", "cache: {ttl: 5s}");
        assertError("gateway.yaml: cache.max-size: set max-entries or max-size, not both (the shared map evicts by"
                + " one Hazelcast policy)", "cache: {max-entries: 5, max-size: 10MB}", "");
        assertError("gateway.yaml: cache.defaults.lock-timeout: must be > 0 (was PT0S)",
                "cache: {defaults: {lock-timeout: 0s}}", "");
        assertError("gateway.yaml: routes[0].cache: expected true, false or a mapping", "", "cache: yes please");
    }

    private static void assertError(String message, String domainCache, String routeCache) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(domainCache, routeCache));
        assertEquals(message, e.getMessage());
    }
}
