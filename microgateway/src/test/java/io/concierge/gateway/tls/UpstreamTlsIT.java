package io.concierge.gateway.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.TestPki;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gateway in front of real TLS upstreams on ephemeral ports, with certificates made at run time:
 * the server certificate and its name are verified, a client certificate is presented when the
 * upstream requires one, TLS connections are pooled, and a replaced CA file is picked up.
 */
class UpstreamTlsIT {
    @TempDir
    static Path dir;
    static TestPki ca;
    static TestPki otherCa;
    static TestPki.Leaf good;
    static TestPki.Leaf wrongHost;
    static TestPki.Leaf expired;
    static TestPki.Leaf untrusted;
    static TestPki.Leaf client;

    @BeforeAll
    static void certificates() throws Exception {
        ca = TestPki.create(dir, "test-ca");
        otherCa = TestPki.create(dir, "other-ca");
        good = ca.issue("upstream", "ip:127.0.0.1,dns:localhost");
        wrongHost = ca.issue("elsewhere", "dns:elsewhere.example");
        expired = ca.issueExpired("expired", "ip:127.0.0.1", "2020/01/01");
        untrusted = otherCa.issue("untrusted", "ip:127.0.0.1");
        client = ca.issue("gateway-client", "dns:gateway.example");
    }

    private static GatewayServer gateway(WireUpstream upstream, String tls) {
        return TestGateways.start("""
                domain: test
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                services:
                  backend:
                    instances:
                      - url: %s
                %s
                routes:
                  - id: all
                    match: {path: /api/**}
                    service: backend
                """.formatted(upstream.httpsUrl(), tls.isEmpty() ? "" : "    tls:\n" + tls.indent(6)));
    }

    private static String caOnly() {
        return "ca: " + ca.caPem();
    }

    private static void assertBadGateway(GatewayServer gw, WireUpstream upstream) throws Exception {
        WireResponse r = WireClient.exchange(gw.port(), "GET", "/api/items");
        assertEquals(502, r.status(), r.toString());
        assertTrue(r.header("Content-Type").startsWith("application/problem+json"), r.toString());
        assertEquals(0, upstream.requestCount(), "nothing may reach an upstream whose certificate was refused");
    }

    @Test
    void aTrustedCertificateForTheInstanceAddressIsAcceptedAndTheConnectionIsPooled() throws Exception {
        try (WireUpstream upstream = WireUpstream.startTls(good.serverContext(ca), false, WireUpstream.echo());
             GatewayServer gw = gateway(upstream, caOnly())) {
            for (int i = 0; i < 3; i++) {
                WireResponse r = WireClient.exchange(gw.port(), "GET", "/api/items/" + i);
                assertEquals(200, r.status(), r.toString());
            }
            assertEquals(3, upstream.requestCount());
            assertEquals(1, upstream.connectionsAccepted(), "the three requests share one pooled TLS connection");
        }
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        try (WireUpstream upstream = WireUpstream.startTls(wrongHost.serverContext(ca), false, WireUpstream.echo());
             GatewayServer gw = gateway(upstream, caOnly())) {
            assertBadGateway(gw, upstream);
        }
    }

    @Test
    void serverNameSelectsTheNameTheCertificateMustCarry() throws Exception {
        try (WireUpstream upstream = WireUpstream.startTls(wrongHost.serverContext(ca), false, WireUpstream.echo());
             GatewayServer gw = gateway(upstream, caOnly() + "\nserver-name: elsewhere.example")) {
            assertEquals(200, WireClient.exchange(gw.port(), "GET", "/api/items").status());
        }
    }

    @Test
    void aCertificateFromAnUntrustedCaIsRefused() throws Exception {
        try (WireUpstream upstream = WireUpstream.startTls(untrusted.serverContext(ca), false, WireUpstream.echo());
             GatewayServer gw = gateway(upstream, caOnly())) {
            assertBadGateway(gw, upstream);
        }
    }

    @Test
    void withoutACaTheJdkTrustStoreDecidesAndDoesNotKnowATestCa() throws Exception {
        try (WireUpstream upstream = WireUpstream.startTls(good.serverContext(ca), false, WireUpstream.echo());
             GatewayServer gw = gateway(upstream, "")) {
            assertBadGateway(gw, upstream);
        }
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        try (WireUpstream upstream = WireUpstream.startTls(expired.serverContext(ca), false, WireUpstream.echo());
             GatewayServer gw = gateway(upstream, caOnly())) {
            assertBadGateway(gw, upstream);
        }
    }

    @Test
    void anUpstreamThatRequiresAClientCertificateRefusesAGatewayWithoutOne() throws Exception {
        try (WireUpstream upstream = WireUpstream.startTls(good.serverContext(ca), true, WireUpstream.echo());
             GatewayServer gw = gateway(upstream, caOnly())) {
            WireResponse r = WireClient.exchange(gw.port(), "GET", "/api/items");
            assertEquals(502, r.status(), r.toString());
            assertEquals(0, upstream.requestCount());
        }
    }

    @Test
    void aPemClientCertificateIsPresented() throws Exception {
        try (WireUpstream upstream = WireUpstream.startTls(good.serverContext(ca), true, WireUpstream.echo());
             GatewayServer gw = gateway(upstream, caOnly() + "\ncertificate: " + client.certificatePem()
                     + "\nprivate-key: " + client.keyPem())) {
            assertEquals(200, WireClient.exchange(gw.port(), "GET", "/api/items").status());
        }
    }

    @Test
    void aPkcs12ClientCertificateIsPresented() throws Exception {
        try (WireUpstream upstream = WireUpstream.startTls(good.serverContext(ca), true, WireUpstream.echo());
             GatewayServer gw = gateway(upstream, caOnly() + "\nkeystore: " + client.keystore()
                     + "\nkeystore-password: " + TestPki.PASSWORD)) {
            assertEquals(200, WireClient.exchange(gw.port(), "GET", "/api/items").status());
        }
    }

    @Test
    void aReplacedCaFileIsUsedForNewConnectionsWithoutARestart() throws Exception {
        Path bundle = dir.resolve("reloaded-ca.pem");
        Files.copy(otherCa.caPem(), bundle, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (WireUpstream upstream = WireUpstream.startTls(good.serverContext(ca), false, WireUpstream.echo());
             GatewayServer gw = gateway(upstream, "ca: " + bundle + "\nreload-interval: 100ms")) {
            assertEquals(502, WireClient.exchange(gw.port(), "GET", "/api/items").status());

            Files.copy(ca.caPem(), bundle, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            Poll.until("the gateway trusts the replaced CA file", Duration.ofSeconds(10),
                    () -> statusOf(gw) == 200);
            assertTrue(upstream.requestCount() >= 1);
        }
    }

    @Test
    void activeHealthChecksProbeOverTlsWithTheClientCertificate() throws Exception {
        try (WireUpstream upstream = WireUpstream.startTls(good.serverContext(ca), true, WireUpstream.echo());
             GatewayServer gw = TestGateways.start("""
                     domain: test
                     listen: {host: 127.0.0.1, port: 0}
                     admin: {host: 127.0.0.1, port: 0}
                     prefixes: [/api]
                     services:
                       backend:
                         instances:
                           - url: %s
                         tls: {ca: %s, certificate: %s, private-key: %s}
                         resilience:
                           health-check: {path: /healthz, interval: 50ms, timeout: 1s}
                     routes:
                       - id: all
                         match: {path: /api/**}
                         service: backend
                     """.formatted(upstream.httpsUrl(), ca.caPem(), client.certificatePem(), client.keyPem()))) {
            Poll.until("a health probe reached the TLS upstream", Duration.ofSeconds(10),
                    () -> upstream.requests().stream().anyMatch(r -> r.path().equals("/healthz")));
            assertEquals(200, WireClient.exchange(gw.port(), "GET", "/api/items").status());
        }
    }

    @Test
    void theAdminHealthReportsAnInstanceWhoseCertificateIsRefusedAsDown() throws Exception {
        try (WireUpstream trusted = WireUpstream.startTls(good.serverContext(ca), false, WireUpstream.echo());
             WireUpstream refused = WireUpstream.startTls(untrusted.serverContext(ca), false, WireUpstream.echo());
             GatewayServer ok = gateway(trusted, caOnly());
             GatewayServer bad = gateway(refused, caOnly())) {
            assertEquals("UP", instanceStatus(ok), "a TLS instance that completes the handshake is up");
            assertEquals("DOWN", instanceStatus(bad), "TCP alone is not enough: its certificate is refused");
        }
    }

    private static String instanceStatus(GatewayServer gw) throws Exception {
        WireResponse r = WireClient.exchange(gw.adminPort(), "GET", "/health");
        return r.json().get("services").get("backend").get("instances").get(0).get("status").asText();
    }

    private static int statusOf(GatewayServer gw) {
        try {
            return WireClient.exchange(gw.port(), "GET", "/api/items").status();
        } catch (Exception e) {
            return -1;
        }
    }
}
