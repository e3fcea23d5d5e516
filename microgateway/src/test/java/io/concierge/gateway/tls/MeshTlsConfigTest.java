package io.concierge.gateway.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.concierge.gateway.balancing.LoadBalancer;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.LoadBalancing;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.pool.ConnectionPool;
import io.concierge.gateway.testing.TestPki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gateway.yaml's {@code listen.tls} and {@code mesh-tls}: defaults, exact load errors, and the scheme policy. */
class MeshTlsConfigTest {

    private static String yaml(String listenExtra, String top) {
        return """
                domain: test
                listen:
                  host: 127.0.0.1
                  port: 0
                %s
                prefixes: [/api]
                %s
                services:
                  backend:
                    instances: [{url: "http://127.0.0.1:3001"}]
                routes:
                  - id: all
                    match: {path: /api/**}
                    service: backend
                """.formatted(listenExtra.indent(2).stripTrailing(), top.stripTrailing());
    }

    private static String error(String listenExtra, String top) {
        return assertThrows(ConfigException.class,
                () -> GatewayConfig.parse("test.yaml", yaml(listenExtra, top), k -> null)).getMessage();
    }

    @Test
    void withoutTheSectionsTheListenerIsPlainAndTlsPeersAreVerifiedByTheJdk() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", yaml("", ""), k -> null);
        assertNull(c.listenTls());
        assertEquals(MeshTlsConfig.defaults(), c.meshTls());
        assertEquals(UpstreamTlsConfig.defaults(), c.meshTls().client());
        assertFalse(c.meshTls().required());
    }

    @Test
    void listenTlsNeedsBothPemFiles() {
        assertEquals("test.yaml: listen.tls.private-key: is required with PEM key material",
                error("tls: {certificate: gw.pem}", ""));
    }

    @Test
    void listenTlsNeedsKeyMaterial() {
        assertEquals("test.yaml: listen.tls: either 'certificate' and 'private-key' (PEM) or 'keystore' (PKCS#12) is"
                + " required, not both", error("tls: {client-ca: ca.pem}", ""));
    }

    @Test
    void anUnreadableKeystoreFailsTheLoadWithItsPath() {
        String missing = Path.of("no-such-dir", "gw.p12").toString();
        assertEquals("test.yaml: listen.tls.keystore: cannot load the key material [" + missing + "]: " + missing,
                error("tls: {keystore: " + missing + ", keystore-password: x}", ""));
    }

    @Test
    void listenTlsAllowsTls12AndNewerOnly() {
        assertEquals("test.yaml: listen.tls.protocols[0]: 'TLSv1.1' is not allowed (TLSv1.2 and TLSv1.3 only)",
                error("tls: {keystore: gw.p12, keystore-password: x, protocols: [TLSv1.1]}", ""));
    }

    @Test
    void h2cIsForAPlainListenerAndALoadableListenerIsKept(@TempDir Path dir) throws Exception {
        TestPki.Leaf leaf = TestPki.create(dir, "ca").issue("gw", "ip:127.0.0.1");
        String tls = "tls: {keystore: " + leaf.keystore() + ", keystore-password: " + TestPki.PASSWORD + "}";
        assertEquals("test.yaml: listen.h2c: applies to a plain listener; with listen.tls HTTP/2 is negotiated by ALPN",
                error("h2c: true\n" + tls, ""));
        GatewayConfig c = GatewayConfig.parse("test.yaml", yaml(tls, ""), k -> null);
        assertEquals(leaf.keystore(), c.listenTls().keystore());
        assertFalse(c.listenTls().requiresClientCertificate());
        assertFalse(c.listenTls().toString().contains(TestPki.PASSWORD), "the password never shows");
    }

    @Test
    void meshTlsServerNameMustBeADnsName() {
        assertEquals("test.yaml: mesh-tls.server-name: must be a DNS name (was '10.0.0.1')",
                error("", "mesh-tls: {server-name: 10.0.0.1}"));
    }

    @Test
    void meshTlsRequiredIsABoolean() {
        assertEquals("test.yaml: mesh-tls.required: expected true or false, got 'always'",
                error("", "mesh-tls: {required: always}"));
    }

    @Test
    void meshTlsRefusesUnknownKeys() {
        String e = error("", "mesh-tls: {verify: false}");
        assertTrue(e.startsWith("test.yaml: mesh-tls.verify: unknown key"), e);
    }

    @Test
    void aMissingMeshCaFailsTheLoadWithItsPath() {
        String missing = Path.of("no-such-dir", "ca.pem").toString();
        assertEquals("test.yaml: mesh-tls.ca: cannot load " + missing + ": " + missing,
                error("", "mesh-tls: {ca: " + missing + "}"));
    }

    @Test
    void requiredAdmitsOnlyGatewaysRegisteredWithTls() {
        Registration plain = registration(Map.of());
        Registration https = registration(Map.of(Registration.SCHEME, Registration.HTTPS));
        MeshTlsConfig required = new MeshTlsConfig(UpstreamTlsConfig.defaults(), true);
        assertFalse(required.admits(plain));
        assertTrue(required.admits(https));
        assertTrue(MeshTlsConfig.defaults().admits(plain));
        assertFalse(plain.https());
        assertTrue(https.https());
    }

    @Test
    void aGroupPoolsEachInstanceWithItsOwnSchemeAndKeepsPoolsThatStay() {
        UpstreamGroup g = new UpstreamGroup("shop", LoadBalancer.of(LoadBalancing.ROUND_ROBIN), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 4, Duration.ofSeconds(4), List.of(), UpstreamTls.start("shop", UpstreamTlsConfig.defaults()));
        try {
            g.update(List.of(new UpstreamGroup.Endpoint("127.0.0.1", 8081, 1, true),
                    new UpstreamGroup.Endpoint("127.0.0.1", 8082, 1)));
            ConnectionPool plain = g.instances().get(0).pool();
            ConnectionPool tls = g.instances().get(1).pool();
            assertFalse(plain.tls());
            assertTrue(tls.tls());
            g.update(List.of(new UpstreamGroup.Endpoint("127.0.0.1", 8081, 1, true),
                    new UpstreamGroup.Endpoint("127.0.0.1", 8082, 1)));
            assertSame(plain, g.instances().get(0).pool(), "unchanged instances keep their pools");
            assertSame(tls, g.instances().get(1).pool());
            // The plain instance re-registers with TLS: a new pool, never a plain connection reused.
            g.update(List.of(new UpstreamGroup.Endpoint("127.0.0.1", 8081, 1, false)));
            assertTrue(g.instances().get(0).pool().tls());
        } finally {
            g.close();
        }
    }

    private static Registration registration(Map<String, String> meta) {
        return new Registration("users-1", "users", List.of("/api/users"), "127.0.0.1", 8081, 9081, 0L, meta);
    }
}
