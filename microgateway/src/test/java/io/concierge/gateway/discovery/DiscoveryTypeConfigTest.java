package io.concierge.gateway.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.domainconfig.GatewayConfig;

/**
 * {@code discovery.type}: the built-in types, and a provider type whose module is not on the class
 * path (the microgateway module's own tests never have the consul module).
 */
class DiscoveryTypeConfigTest {
    private static final String FILE = """
            domain: orders
            prefixes: [/api/orders]
            discovery:
              type: %s
            services:
              backend: {instances: [{url: "http://127.0.0.1:3003"}]}
            routes:
              - {id: all, match: {path: /api/orders/**}, service: backend}
            """;

    @Test
    void theDemoSwitchDefaultsToTheEmbeddedRegistry() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", FILE.formatted("${DISCOVERY:embedded}"), k -> null);
        assertEquals(DiscoveryConfig.Type.EMBEDDED, c.discovery().type());
        assertNull(c.discovery().provided());
        GatewayConfig s = GatewayConfig.parse("test.yaml", FILE.formatted("${DISCOVERY:embedded}"),
                Map.of("DISCOVERY", "static")::get);
        assertEquals(DiscoveryConfig.Type.STATIC, s.discovery().type());
    }

    @Test
    void consulWithoutItsModuleIsAConfigErrorThatSaysSo() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> GatewayConfig.parse("test.yaml", FILE.formatted("consul"), k -> null));
        assertEquals("test.yaml: discovery.type: unknown discovery type 'consul' (allowed: embedded, static);"
                + " the consul module (consul.jar) is not on the class path", e.getMessage());
    }

    @Test
    void anUnknownTypeNamesTheAllowedOnes() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> GatewayConfig.parse("test.yaml", FILE.formatted("zookeeper"), k -> null));
        assertEquals("test.yaml: discovery.type: unknown discovery type 'zookeeper' (allowed: embedded, static)",
                e.getMessage());
    }
}
