package io.concierge.edge;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.telemetry.AccessLogConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The edge's {@code access-log} section: defaults, both formats, errors naming file and path. */
class EdgeAccessLogConfigTest {
    private static EdgeConfig parse(String yaml) {
        return EdgeConfig.parse("edge.yaml", yaml, k -> null);
    }

    @Test
    void defaultsToJsonOn() {
        assertEquals(AccessLogConfig.DEFAULT, parse("listen: {port: 0}\n").accessLog());
        assertEquals(new AccessLogConfig(false, AccessLogConfig.Format.COMBINED),
                parse("access-log: {enabled: false, format: combined}\n").accessLog());
    }

    @Test
    void errorsNameFileAndPath() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("access-log: {format: clf}\n"));
        assertEquals("edge.yaml: access-log.format: unknown value 'clf' (allowed: json, combined)", e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse("access-log: {enabled: sometimes}\n"));
        assertTrue(e.getMessage().startsWith("edge.yaml: access-log.enabled"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> parse("access-log: {path: /var/log/x}\n"));
        assertTrue(e.getMessage().startsWith("edge.yaml: access-log.path: unknown key"), e.getMessage());
    }
}
