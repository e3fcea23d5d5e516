package io.concierge.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.YamlSource;
import io.concierge.gateway.discovery.DiscoveryConfig;
import io.concierge.gateway.domainconfig.GatewayConfig;

/** {@code discovery: {type: consul, consul: {...}}}: defaults, Consul's environment variables, exact errors. */
class ConsulSettingsTest {
    private static final String GATEWAY = """
            domain: orders
            prefixes: [/api/orders]
            discovery:
            %s
            services:
              backend: {instances: [{url: "http://127.0.0.1:3003"}]}
            routes:
              - {id: all, match: {path: /api/orders/**}, service: backend}
            """;

    private static ConsulSettings settings(String discovery, Map<String, String> env) {
        return ConsulSettings.read(YamlSource.parse("gw.yaml", "discovery:\n" + discovery, env::get).object("discovery"),
                env::get);
    }

    private static String error(String discovery) {
        return assertThrows(ConfigException.class, () -> settings(discovery, Map.of())).getMessage();
    }

    @Test
    void aBareConsulTypeGetsTheDocumentedDefaults() {
        ConsulSettings s = settings("  type: consul\n", Map.of());
        assertEquals(URI.create("http://127.0.0.1:8500"), s.address());
        assertEquals("", s.token());
        assertNull(s.datacenter());
        assertNull(s.namespace());
        assertEquals("concierge-gateway", s.serviceName());
        assertEquals(List.of(), s.tags());
        assertNull(s.advertiseAddress());
        assertEquals("/health/live", s.checkPath());
        assertEquals(Duration.ofSeconds(2), s.checkInterval());
        assertEquals(Duration.ofSeconds(1), s.checkTimeout());
        assertEquals(Duration.ofMinutes(1), s.deregisterCriticalAfter());
        assertEquals(Duration.ofMinutes(1), s.watchWait());
        assertEquals(Duration.ofMillis(500), s.backoffMin());
        assertEquals(Duration.ofSeconds(15), s.backoffMax());
        assertEquals(Duration.ofSeconds(5), s.timeout());
        assertEquals(Duration.ofSeconds(30), s.resyncInterval());
    }

    @Test
    void consulsOwnEnvironmentVariablesAreTheDefaultsAndTheFileWins() {
        Map<String, String> env = Map.of("CONSUL_HTTP_ADDR", "consul.internal:8501", "CONSUL_HTTP_TOKEN", "t-1");
        ConsulSettings fromEnv = settings("  type: consul\n", env);
        assertEquals(URI.create("http://consul.internal:8501"), fromEnv.address());
        assertEquals("t-1", fromEnv.token());
        ConsulSettings fromFile = settings("  type: consul\n  consul: {address: \"https://c.example\", token: t-2}\n", env);
        assertEquals(URI.create("https://c.example:443"), fromFile.address());
        assertEquals("t-2", fromFile.token());
        assertTrue(fromFile.describe().contains("ACL token set") && !fromFile.describe().contains("t-2"));
        // `token: ${CONSUL_TOKEN:}` with the variable unset: empty means "not set here".
        assertEquals("t-1", settings("  type: consul\n  consul: {token: \"\"}\n", env).token());
    }

    @Test
    void theGatewayFileFindsTheProviderThroughServiceLoader() {
        GatewayConfig c = GatewayConfig.parse("gw.yaml", GATEWAY.formatted(
                "  type: consul\n  consul: {address: \"http://127.0.0.1:8600\", datacenter: eu1}"), k -> null);
        assertSame(DiscoveryConfig.Type.PROVIDED, c.discovery().type());
        assertEquals("consul", c.discovery().typeName());
        assertEquals("consul http://127.0.0.1:8600 service 'concierge-gateway' dc eu1", c.discovery().provided().describe());
    }

    @Test
    void mistakesNameTheFileAndYamlPath() {
        assertEquals("gw.yaml: discovery.consul.check.timout: unknown key (known keys here: deregister-critical-after,"
                + " interval, path, timeout)", error("  type: consul\n  consul: {check: {timout: 1s}}\n"));
        assertEquals("gw.yaml: discovery.consul.adress: unknown key (known keys here: address, advertise-address,"
                + " check, datacenter, namespace, resync-interval, service-name, tags, timeout, token, watch)",
                error("  type: consul\n  consul: {adress: x}\n"));
        assertEquals("gw.yaml: discovery.consul.address: must not have a path; the API lives under /v1"
                + " (was 'http://127.0.0.1:8500/v1')", error("  type: consul\n  consul: {address: \"http://127.0.0.1:8500/v1\"}\n"));
        assertEquals("gw.yaml: discovery.consul.address: must be an http:// or https:// URL of the Consul agent"
                + " (was 'ftp://x')", error("  type: consul\n  consul: {address: \"ftp://x\"}\n"));
        assertEquals("gw.yaml: discovery.consul.watch.wait: Consul limits a blocking query to 10m (was 660s)",
                error("  type: consul\n  consul: {watch: {wait: 11m}}\n"));
        assertEquals("gw.yaml: discovery.consul.watch.backoff-max: must not be below backoff-min",
                error("  type: consul\n  consul: {watch: {backoff-min: 2s, backoff-max: 1s}}\n"));
        assertEquals("gw.yaml: discovery.consul.check.interval: bad duration 'often' (use a whole number with ms, s,"
                + " m or h, e.g. 250ms or 5s)", error("  type: consul\n  consul: {check: {interval: often}}\n"));
        assertEquals("gw.yaml: discovery.consul.service-name: must be a DNS label: lower-case letters, digits and '-'"
                + " (was 'Gate Way')", error("  type: consul\n  consul: {service-name: Gate Way}\n"));
        assertEquals("gw.yaml: discovery.consul.tags[1]: letters, digits, '_', '.' and '-', at most 63 (was 'a b')",
                error("  type: consul\n  consul: {tags: [ok, a b]}\n"));
    }

    @Test
    void aConsulSectionWithAnotherTypeIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfig.parse("gw.yaml",
                GATEWAY.formatted("  type: embedded\n  consul: {address: \"http://127.0.0.1:8500\"}"), k -> null));
        assertEquals("gw.yaml: discovery.consul: unknown key (known keys here: gateways, type)", e.getMessage());
    }
}
