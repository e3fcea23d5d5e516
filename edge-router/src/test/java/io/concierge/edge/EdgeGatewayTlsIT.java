package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.discovery.DiscoveryConfig;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.reload.ReloadResult;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestPki;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * The edge → gateway hop over TLS ({@code upstream.tls}): a gateway registered with
 * {@code scheme: https} is called over mTLS with the configured server name; one whose certificate
 * the edge's CA does not sign is never served; {@code required: true} refuses a plain gateway; a
 * reload that changes the trust rebuilds the domain's group.
 */
class EdgeGatewayTlsIT {
    static final String MESH_NAME = "gateways.concierge.internal";
    static final Duration WAIT = Duration.ofSeconds(15);
    @TempDir
    static Path dir;
    static TestPki mesh;
    static TestPki rogue;
    /** Names only the shared DNS name: the edge must send server-name, the registered IP would not match. */
    static TestPki.Leaf gatewayCert;
    static TestPki.Leaf rogueCert;
    static TestPki.Leaf edgeCert;

    private final MemoryDiscovery discovery = new MemoryDiscovery();
    private final Resources resources = new Resources();

    @BeforeAll
    static void certificates() throws Exception {
        mesh = TestPki.create(dir, "mesh");
        rogue = TestPki.create(dir, "rogue");
        gatewayCert = mesh.issue("gateway", "dns:" + MESH_NAME);
        rogueCert = rogue.issue("rogue-gateway", "dns:" + MESH_NAME);
        edgeCert = mesh.issue("edge", "dns:edge.concierge.internal");
    }

    @AfterEach
    void close() throws Exception {
        resources.close();
    }

    /** A shop gateway over {@code backend}; on TLS with {@code leaf}, requiring a mesh client certificate, or plain. */
    private GatewayServer gateway(WireUpstream backend, TestPki.Leaf leaf) {
        String tls = leaf == null ? "" : "\n  tls: {certificate: %s, private-key: %s, client-ca: %s}"
                .formatted(leaf.certificatePem(), leaf.keyPem(), mesh.caPem());
        return resources.track(GatewayServer.start(GatewayConfig.parse("gateway.yaml", """
                domain: shop
                listen:
                  host: 127.0.0.1
                  port: 0%s
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                services:
                  backend:
                    instances: [{url: "http://127.0.0.1:%d"}]
                routes:
                  - id: all
                    match: {path: /api/**}
                    service: backend
                """.formatted(tls, backend.port()), k -> null), discovery));
    }

    private static String edgeYaml(TestPki ca, String extra) {
        return """
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                access-log: {enabled: false}
                upstream:
                  tls:
                    ca: %s
                    certificate: %s
                    private-key: %s
                    server-name: %s
                %s
                """.formatted(ca.caPem(), edgeCert.certificatePem(), edgeCert.keyPem(), MESH_NAME, extra.indent(4));
    }

    private EdgeServer edge(String yaml) {
        EdgeServer edge = resources.track(EdgeServer.start(EdgeConfig.parse("edge.yaml", yaml, k -> null), discovery));
        Poll.until("the edge knows the shop gateway", WAIT, () -> edge.liveInstances().containsKey("shop"));
        return edge;
    }

    @Test
    void theEdgeCallsATlsGatewayWithItsClientCertificate() throws Exception {
        WireUpstream backend = resources.track(WireUpstream.start(WireUpstream.echo()));
        gateway(backend, gatewayCert);
        assertTrue(discovery.snapshot().get(0).https(), "the gateway registered scheme: https");
        EdgeServer edge = edge(edgeYaml(mesh, ""));
        WireResponse r = WireClient.exchange(edge.port(), "GET", "/api/orders/1");
        // The gateway requires a mesh client certificate: a 200 means the edge presented one over TLS.
        assertEquals(200, r.status(), r.bodyText());
        assertEquals("/api/orders/1", backend.lastRequest().path());
        assertEquals(200, WireClient.exchange(edge.port(), "GET", "/api/orders/2").status(), "pooled TLS connection");
    }

    @Test
    void aGatewayWhoseCertificateTheEdgeDoesNotTrustIsNeverServed() throws Exception {
        WireUpstream backend = resources.track(WireUpstream.start(WireUpstream.echo()));
        gateway(backend, rogueCert);
        EdgeServer edge = edge(edgeYaml(mesh, ""));
        WireResponse r = WireClient.exchange(edge.port(), "GET", "/api/orders/1");
        assertTrue(r.status() == 502 || r.status() == 503, r.status() + " " + r.bodyText());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals(0, backend.requestCount(), "nothing reached the service behind the untrusted gateway");
    }

    @Test
    void requiredTlsRefusesAPlainGateway() throws Exception {
        WireUpstream backend = resources.track(WireUpstream.start(WireUpstream.echo()));
        gateway(backend, null);
        EdgeServer edge = edge(edgeYaml(mesh, "required: true"));
        WireResponse r = WireClient.exchange(edge.port(), "GET", "/api/orders/1");
        assertEquals(503, r.status(), r.bodyText());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals(0, backend.requestCount(), "the plain gateway was never called");
        assertEquals(0, edge.dispatchTarget("shop").group().instances().size());
    }

    @Test
    void aPlainGatewayIsCalledPlainlyUnlessTlsIsRequired() throws Exception {
        WireUpstream backend = resources.track(WireUpstream.start(WireUpstream.echo()));
        gateway(backend, null);
        EdgeServer edge = edge(edgeYaml(mesh, ""));
        assertEquals(200, WireClient.exchange(edge.port(), "GET", "/api/orders/1").status());
    }

    @Test
    void aReloadThatChangesTheTrustRebuildsTheGroups() throws Exception {
        WireUpstream backend = resources.track(WireUpstream.start(WireUpstream.echo()));
        gateway(backend, gatewayCert);
        Path file = dir.resolve("edge-reload.yaml");
        Files.writeString(file, edgeYaml(rogue, ""));
        EdgeServer edge = resources.track(EdgeServer.start(EdgeConfig.load(file, k -> null), discovery));
        Poll.until("the edge knows the shop gateway", WAIT, () -> edge.liveInstances().containsKey("shop"));
        int refused = WireClient.exchange(edge.port(), "GET", "/api/orders/1").status();
        assertTrue(refused == 502 || refused == 503, "the gateway's CA is not trusted yet: " + refused);

        Files.writeString(file, edgeYaml(mesh, ""));
        assertEquals(ReloadResult.APPLIED, edge.reloads().reload("test").result());
        Poll.until("the reloaded trust reaches the gateway", WAIT,
                () -> statusOrMinusOne(edge.port(), "/api/orders/2") == 200);
    }

    private static int statusOrMinusOne(int port, String path) {
        try {
            return WireClient.exchange(port, "GET", path).status();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    @Test
    void upstreamTlsKeysAreCheckedAtLoad() {
        ConfigException ip = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> EdgeConfig.parse(
                "edge.yaml", "upstream:\n  tls: {server-name: 10.0.0.1}\n", k -> null));
        assertEquals("edge.yaml: upstream.tls.server-name: must be a DNS name (was '10.0.0.1')", ip.getMessage());
        ConfigException required = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> EdgeConfig.parse("edge.yaml", "upstream:\n  tls: {required: yes-please}\n", k -> null));
        assertEquals("edge.yaml: upstream.tls.required: expected true or false, got 'yes-please'", required.getMessage());
        ConfigException unknown = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> EdgeConfig.parse("edge.yaml", "upstream:\n  tls: {verify: false}\n", k -> null));
        assertTrue(unknown.getMessage().startsWith("edge.yaml: upstream.tls.verify: unknown key"), unknown.getMessage());
        EdgeConfig defaults = EdgeConfig.parse("edge.yaml", "listen: {port: 0}\n", k -> null);
        assertEquals(io.concierge.gateway.tls.MeshTlsConfig.defaults(), defaults.gatewayTls());
    }

    @Test
    void anHttpsStaticGatewayIsRegisteredAsTls() {
        EdgeConfig c = EdgeConfig.parse("edge.yaml", """
                discovery:
                  type: static
                  gateways:
                    - {domain: shop, prefixes: [/api], instances: ["https://127.0.0.1:8443", "http://127.0.0.1:8080"]}
                """, k -> null);
        DiscoveryConfig d = c.discovery();
        List<Registration> rs = EdgeMain.staticRegistrations(d);
        assertEquals(Map.of(Registration.SCHEME, Registration.HTTPS), rs.get(0).metadata());
        assertEquals(Map.of(), rs.get(1).metadata());
    }
}
