package io.concierge.gateway.tls;

import java.nio.file.Path;
import java.util.List;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.InstanceConfig;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.ServiceConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code https://} instance URLs and a service's {@code tls} section: defaults and exact load errors. */
class UpstreamTlsConfigTest {

    private static String yaml(String instances, String service) {
        return """
                domain: test
                listen: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                services:
                  backend:
                    instances:
                %s
                %s
                routes:
                  - id: all
                    match: {path: /api/**}
                    service: backend
                """.formatted(instances.indent(6).stripTrailing(), service.indent(4).stripTrailing());
    }

    private static ServiceConfig service(String instances, String service) {
        return GatewayConfig.parse("test.yaml", yaml(instances, service), k -> null).services().get("backend");
    }

    private static String error(String instances, String service) {
        return assertThrows(ConfigException.class,
                () -> GatewayConfig.parse("test.yaml", yaml(instances, service), k -> null)).getMessage();
    }

    @Test
    void httpsInstancesAloneGetTheDefaults() {
        ServiceConfig s = service("- url: https://orders.internal", "");
        assertEquals(List.of(new InstanceConfig("orders.internal", 443, 1, true)), s.instances());
        assertEquals(UpstreamTlsConfig.defaults(), s.tls());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), s.tls().protocols());
        assertNull(s.tls().ca());
    }

    @Test
    void plainInstancesHaveNoTls() {
        assertNull(service("- url: http://127.0.0.1:3001", "").tls());
    }

    @Test
    void aTlsSectionNeedsHttpsInstances() {
        assertEquals("test.yaml: services.backend.tls: the instances are http:// URLs; use https:// to talk TLS to them",
                error("- url: http://127.0.0.1:3001", "tls: {server-name: orders.internal}"));
    }

    @Test
    void aServiceDoesNotMixSchemes() {
        assertEquals("test.yaml: services.backend.instances[1].url: all instances of a service use the same scheme"
                        + " (instances[0] is https)",
                error("- url: https://127.0.0.1:3001\n- url: http://127.0.0.1:3002", ""));
    }

    @Test
    void aMissingCaFileFailsTheLoadWithItsPath() {
        String missing = Path.of("no-such-dir", "ca.pem").toString();
        String e = error("- url: https://127.0.0.1:3001", "tls: {ca: " + missing + "}");
        assertEquals("test.yaml: services.backend.tls.ca: cannot load " + missing + ": " + missing, e);
    }

    @Test
    void onlyTls12AndNewerAreAllowed() {
        assertEquals("test.yaml: services.backend.tls.protocols[0]: 'TLSv1.1' is not allowed (TLSv1.2 and TLSv1.3 only)",
                error("- url: https://127.0.0.1:3001", "tls: {protocols: [TLSv1.1]}"));
    }

    @Test
    void aClientCertificateNeedsItsKey() {
        assertEquals("test.yaml: services.backend.tls.private-key: is required with a PEM client certificate",
                error("- url: https://127.0.0.1:3001", "tls: {certificate: client.pem}"));
    }

    @Test
    void aKeystoreNeedsItsPassword() {
        assertEquals("test.yaml: services.backend.tls.keystore-password: is required with a keystore",
                error("- url: https://127.0.0.1:3001", "tls: {keystore: client.p12}"));
    }

    @Test
    void serverNameMustBeADnsName() {
        assertEquals("test.yaml: services.backend.tls.server-name: must be a DNS name (was '10.0.0.1')",
                error("- url: https://127.0.0.1:3001", "tls: {server-name: 10.0.0.1}"));
    }

    @Test
    void anUnknownKeyIsRefused() {
        String e = error("- url: https://127.0.0.1:3001", "tls: {verify: false}");
        assertEquals(true, e.startsWith("test.yaml: services.backend.tls.verify:"), e);
    }
}
