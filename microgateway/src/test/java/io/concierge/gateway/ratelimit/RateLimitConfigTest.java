package io.concierge.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.ratelimit.RateLimitConfig.Algorithm;
import io.concierge.gateway.ratelimit.RateLimitConfig.KeyPart;
import io.concierge.gateway.ratelimit.RateLimitConfig.Mode;

/** YAML snippet in, exact error (file and YAML path) out; and the defaults of a valid entry. */
class RateLimitConfigTest {

    /** A gateway whose only route carries {@code routeLimits} and whose domain carries {@code domainLimits}. */
    private static GatewayConfig gateway(String domainLimits, String routeLimits) {
        String yaml = """
                domain: shop
                prefixes: [/api]
                services:
                  svc:
                    instances:
                      - url: http://127.0.0.1:1
                %s
                routes:
                  - id: login
                    match: {path: /api/login}
                    service: svc
                %s
                """.formatted(domainLimits.isEmpty() ? "" : "rate-limits:\n" + indent(domainLimits, "  "),
                routeLimits.isEmpty() ? "" : "    rate-limits:\n" + indent(routeLimits, "      "));
        return GatewayConfig.parse("gateway.yaml", yaml, k -> null);
    }

    private static String indent(String text, String prefix) {
        return text.lines().map(l -> prefix + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    private static String routeError(String routeLimits) {
        return assertThrows(ConfigException.class, () -> gateway("", routeLimits)).getMessage();
    }

    private static String domainError(String domainLimits) {
        return assertThrows(ConfigException.class, () -> gateway(domainLimits, "")).getMessage();
    }

    @Test
    void minimalEntryGetsTheDocumentedDefaults() {
        RateLimitConfig c = gateway("", "- {name: login, limit: 10}").routes().get(0).rateLimits().get(0);
        assertEquals("login", c.name());
        assertEquals("routes[0].rate-limits[0]", c.path());
        assertEquals(List.of(new KeyPart(KeyPart.Kind.CLIENT_IP, null)), c.key());
        assertEquals(Algorithm.SLIDING_WINDOW, c.algorithm());
        assertEquals(new RateLimitConfig.Tier(10, Duration.ofMinutes(1), 10), c.quota());
        assertEquals(Mode.FAST, c.mode());
        assertEquals(Duration.ofMillis(100), c.syncInterval());
        assertEquals(Duration.ofMillis(500), c.clusterTimeout());
        assertTrue(c.enforce());
        assertEquals(false, c.legacyHeaders());
        assertEquals(100_000, c.maxKeys());
        assertEquals(List.of(), c.paths());
        assertEquals(Set.of(), c.methods());
        assertNull(c.plans());
    }

    @Test
    void fullEntryIsReadKeyByKey() {
        RateLimitConfig c = gateway("", """
                - name: api
                  key: [consumer, header:X-Tenant, route]
                  algorithm: token-bucket
                  limit: 100
                  window: 10s
                  burst: 20
                  mode: strict
                  cluster-timeout: 50ms
                  enforce: false
                  legacy-headers: true
                  max-keys: 500
                  match: {paths: [/api/**], methods: [post, GET]}
                """).routes().get(0).rateLimits().get(0);
        assertEquals(List.of(new KeyPart(KeyPart.Kind.CONSUMER, null), new KeyPart(KeyPart.Kind.HEADER, "X-Tenant"),
                new KeyPart(KeyPart.Kind.ROUTE, null)), c.key());
        assertEquals(Algorithm.TOKEN_BUCKET, c.algorithm());
        assertEquals(new RateLimitConfig.Tier(100, Duration.ofSeconds(10), 20), c.quota());
        assertEquals(Mode.STRICT, c.mode());
        assertEquals(Duration.ofMillis(50), c.clusterTimeout());
        assertEquals(false, c.enforce());
        assertTrue(c.legacyHeaders());
        assertEquals(500, c.maxKeys());
        assertEquals(List.of("/api/**"), c.paths());
        assertEquals(Set.of("POST", "GET"), c.methods());
    }

    @Test
    void usagePlansAreReadWithTiersAndAssignments() {
        RateLimitConfig c = gateway("""
                - name: plan
                  algorithm: token-bucket
                  plans:
                    default: free
                    tiers:
                      free: {limit: 60, window: 1m, burst: 10}
                      pro: {limit: 6000, window: 1m, burst: 500}
                    consumers: {mobile-app: pro, partner: free}
                """, "").rateLimits().get(0);
        assertEquals(List.of(new KeyPart(KeyPart.Kind.CONSUMER, null)), c.key());
        assertNull(c.quota());
        assertEquals("free", c.plans().defaultTier());
        assertEquals(new RateLimitConfig.Tier(6000, Duration.ofMinutes(1), 500), c.plans().tierOf("mobile-app"));
        assertEquals("pro", c.plans().tierName("mobile-app"));
        assertEquals("free", c.plans().tierName("stranger"));
        assertEquals("free", c.plans().tierName(null));
    }

    @Test
    void limitOutOfRange() {
        assertEquals("gateway.yaml: routes[0].rate-limits[0].limit: must be between 1 and 1000000000 (was -5)",
                routeError("- {name: a, limit: -5}"));
    }

    @Test
    void limitMissing() {
        assertEquals("gateway.yaml: routes[0].rate-limits[0].limit: is required (or give plans)",
                routeError("- {name: a}"));
    }

    @Test
    void nameMissingOrMalformed() {
        assertEquals("gateway.yaml: routes[0].rate-limits[0].name: is required", routeError("- {limit: 5}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].name: must be 1-64 letters, digits, '.', '_' or '-', "
                + "starting with a letter or digit (was 'a\"b')", routeError("- {name: 'a\"b', limit: 5}"));
    }

    @Test
    void unknownKeyIsAnError() {
        assertEquals("gateway.yaml: routes[0].rate-limits[0].limt: unknown key (known keys here: algorithm, "
                        + "burst, cluster-timeout, enforce, key, legacy-headers, limit, match, max-keys, mode, name, plans, "
                        + "sync-interval, window)",
                routeError("- {name: a, limit: 5, limt: 6}"));
    }

    @Test
    void windowMustBeWholeSecondsWithinADay() {
        assertEquals("gateway.yaml: routes[0].rate-limits[0].window: must be between 1s and 24h (was 500ms)",
                routeError("- {name: a, limit: 5, window: 500ms}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].window: must be between 1s and 24h (was 25h)",
                routeError("- {name: a, limit: 5, window: 25h}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].window: must be a whole number of seconds (was 1500ms)",
                routeError("- {name: a, limit: 5, window: 1500ms}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].window: bad duration 'soon' (use a whole number with "
                + "ms, s, m or h, e.g. 250ms or 5s)", routeError("- {name: a, limit: 5, window: soon}"));
    }

    @Test
    void burstOnlyWithTheTokenBucket() {
        assertEquals("gateway.yaml: routes[0].rate-limits[0].burst: only the token-bucket algorithm has a burst "
                + "(set algorithm: token-bucket)", routeError("- {name: a, limit: 5, burst: 9}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].burst: may be at most 1000 times the limit (was 5001)",
                routeError("- {name: a, limit: 5, burst: 5001, algorithm: token-bucket}"));
    }

    @Test
    void unknownChoices() {
        assertEquals("gateway.yaml: routes[0].rate-limits[0].algorithm: unknown value 'leaky' (allowed: "
                + "sliding-window, token-bucket)", routeError("- {name: a, limit: 5, algorithm: leaky}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].mode: unknown value 'exact' (allowed: strict, fast, local)",
                routeError("- {name: a, limit: 5, mode: exact}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].key: unknown key part 'user' (allowed: client-ip, "
                + "consumer, route, header:<Header-Name>)", routeError("- {name: a, limit: 5, key: user}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].key: unknown key part 'header:' (allowed: client-ip, "
                + "consumer, route, header:<Header-Name>)", routeError("- {name: a, limit: 5, key: 'header:'}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].key: 'route' appears twice",
                routeError("- {name: a, limit: 5, key: [route, route]}"));
    }

    @Test
    void modeSpecificKeys() {
        assertEquals("gateway.yaml: routes[0].rate-limits[0].sync-interval: only a limit in mode 'fast' has a sync "
                + "interval (mode is 'strict')", routeError("- {name: a, limit: 5, mode: strict, sync-interval: 50ms}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].cluster-timeout: a limit in mode 'local' makes no "
                + "cluster calls", routeError("- {name: a, limit: 5, mode: local, cluster-timeout: 50ms}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].sync-interval: must be between 10ms and 10s (was 5ms)",
                routeError("- {name: a, limit: 5, sync-interval: 5ms}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].max-keys: must be between 100 and 10000000 (was 10)",
                routeError("- {name: a, limit: 5, max-keys: 10}"));
    }

    @Test
    void matchIsValidated() {
        assertEquals("gateway.yaml: routes[0].rate-limits[0].match.paths[1]: path pattern must start with '/' "
                + "(was 'api')", routeError("- {name: a, limit: 5, match: {paths: [/api/**, api]}}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].match.methods: unknown HTTP method 'FETCH'",
                routeError("- {name: a, limit: 5, match: {methods: [FETCH]}}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].match.path: unknown key (known keys here: methods, paths)",
                routeError("- {name: a, limit: 5, match: {path: /api}}"));
    }

    @Test
    void namesAreUniquePerScopeAndAcrossDomainAndRoute() {
        assertEquals("gateway.yaml: routes[0].rate-limits[1].name: duplicate rate limit name 'a'",
                routeError("- {name: a, limit: 5}\n- {name: a, limit: 6}"));
        assertEquals("gateway.yaml: routes[0].rate-limits[0].name: rate limit name 'a' is already used by a "
                + "domain-level rate limit",
                assertThrows(ConfigException.class, () -> gateway("- {name: a, limit: 5}", "- {name: a, limit: 6}"))
                        .getMessage());
    }

    @Test
    void plansAreValidated() {
        assertEquals("gateway.yaml: rate-limits[0].plans.default: unknown tier 'gold' (tiers: free)", domainError("""
                - name: p
                  plans: {default: gold, tiers: {free: {limit: 5}}}
                """));
        assertEquals("gateway.yaml: rate-limits[0].plans.consumers.app: unknown tier 'gold' (tiers: free)",
                domainError("""
                        - name: p
                          plans: {default: free, tiers: {free: {limit: 5}}, consumers: {app: gold}}
                        """));
        assertEquals("gateway.yaml: rate-limits[0].plans.tiers: at least one tier is required", domainError("""
                - name: p
                  plans: {default: free}
                """));
        assertEquals("gateway.yaml: rate-limits[0].limit: not allowed together with plans (set it per tier)",
                domainError("""
                        - name: p
                          limit: 5
                          plans: {default: free, tiers: {free: {limit: 5}}}
                        """));
        assertEquals("gateway.yaml: rate-limits[0].key: a limit with plans counts per consumer: the key must include "
                + "'consumer'", domainError("""
                - name: p
                  key: client-ip
                  plans: {default: free, tiers: {free: {limit: 5}}}
                """));
        assertEquals("gateway.yaml: rate-limits[0].plans.tiers.free.burst: only the token-bucket algorithm has a "
                + "burst (set algorithm: token-bucket)", domainError("""
                - name: p
                  plans: {default: free, tiers: {free: {limit: 5, burst: 9}}}
                """));
        assertEquals("gateway.yaml: rate-limits[0].plans.tiers.free.rate: unknown key (known keys here: burst, limit, "
                + "window)", domainError("""
                - name: p
                  plans: {default: free, tiers: {free: {limit: 5, rate: 9}}}
                """));
    }

    @Test
    void aListIsRequired() {
        assertEquals("gateway.yaml: rate-limits: expected a list, got a mapping",
                domainError("{name: a, limit: 5}"));
    }
}
