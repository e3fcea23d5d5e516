package io.concierge.gateway.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestPki;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gateway listening on TLS ({@code listen.tls}) with a client CA: it serves a client presenting a
 * certificate of that CA, refuses one without, registers {@code scheme: https}; and a composition
 * call from another gateway reaches it over mTLS as {@code mesh-tls} says.
 */
class GatewayTlsListenerIT {
    static final String MESH_NAME = "gateways.concierge.internal";
    @TempDir
    static Path dir;
    static TestPki mesh;
    static TestPki.Leaf gatewayCert;
    static TestPki.Leaf callerCert;

    private final MemoryDiscovery discovery = new MemoryDiscovery();
    private final Resources resources = new Resources();

    @BeforeAll
    static void certificates() throws Exception {
        mesh = TestPki.create(dir, "mesh");
        gatewayCert = mesh.issue("gateway", "dns:" + MESH_NAME + ",ip:127.0.0.1");
        callerCert = mesh.issue("caller", "dns:caller.concierge.internal");
    }

    @AfterEach
    void close() throws Exception {
        resources.close();
    }

    /** The users gateway on TLS, requiring a client certificate of the mesh CA. */
    private GatewayServer usersGateway(int backendPort) {
        return gateway("""
                domain: users
                listen:
                  host: 127.0.0.1
                  port: 0
                  tls: {certificate: %s, private-key: %s, client-ca: %s, reload-interval: 100ms}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api/users]
                services:
                  user-service:
                    instances: [{url: "http://127.0.0.1:%d"}]
                routes:
                  - id: users
                    match: {path: "/api/users/**", methods: [GET]}
                    service: user-service
                """.formatted(gatewayCert.certificatePem(), gatewayCert.keyPem(), mesh.caPem(), backendPort));
    }

    private GatewayServer gateway(String yaml) {
        return resources.track(GatewayServer.start(GatewayConfig.parse("test.yaml", yaml, Map.<String, String>of()::get),
                discovery));
    }

    /**
     * One request over TLS to 127.0.0.1 (no name check by the client: the name is the callers'
     * business, tested at the edge); the response text, or "refused: " and the exception.
     */
    private static String exchangeTls(SSLContext tls, int port, String path) {
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: users\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "refused: " + e;
        }
    }

    /** Trusts the mesh CA and presents no certificate. */
    private static SSLContext trustOnly() throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(mesh.caPem())) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void servesAClientWithACertificateAndRefusesOneWithout() throws Exception {
        WireUpstream backend = resources.track(WireUpstream.start(WireUpstream.echo()));
        GatewayServer users = usersGateway(backend.port());
        String ok = exchangeTls(callerCert.serverContext(mesh), users.port(), "/api/users/7");
        assertTrue(ok.startsWith("HTTP/1.1 200"), ok);
        assertEquals(1, backend.requestCount());

        String noCertificate = exchangeTls(trustOnly(), users.port(), "/api/users/8");
        assertFalse(noCertificate.startsWith("HTTP/"), "no client certificate, no answer: " + noCertificate);
        assertThrows(IOException.class, () -> WireClient.exchange(users.port(), "GET", "/api/users/9"),
                "plain HTTP on the TLS port gets no answer");
        assertEquals(1, backend.requestCount(), "neither refused client reached the service");

        Registration r = discovery.snapshot().get(0);
        assertEquals("https", r.metadata().get(Registration.SCHEME));
        assertTrue(r.https());
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestart() throws Exception {
        WireUpstream backend = resources.track(WireUpstream.start(WireUpstream.echo()));
        Path served = dir.resolve("served.p12");
        Files.copy(gatewayCert.keystore(), served, StandardCopyOption.REPLACE_EXISTING);
        GatewayServer users = gateway("""
                domain: users
                listen:
                  host: 127.0.0.1
                  port: 0
                  tls: {keystore: %s, keystore-password: %s, client-ca: %s, reload-interval: 100ms}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api/users]
                services:
                  user-service:
                    instances: [{url: "http://127.0.0.1:%d"}]
                routes:
                  - id: users
                    match: {path: "/api/users/**", methods: [GET]}
                    service: user-service
                """.formatted(served, TestPki.PASSWORD, mesh.caPem(), backend.port()));
        SSLContext client = callerCert.serverContext(mesh);
        assertEquals("CN=gateway", servedSubject(client, users.port()));
        TestPki.Leaf renewed = mesh.issue("renewed", "dns:" + MESH_NAME + ",ip:127.0.0.1");
        Path next = dir.resolve("next.p12");
        Files.copy(renewed.keystore(), next, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, served, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Poll.until("the renewed certificate is served", java.time.Duration.ofSeconds(20),
                () -> "CN=renewed".equals(servedSubject(client, users.port())));
        assertTrue(exchangeTls(client, users.port(), "/api/users/1").startsWith("HTTP/1.1 200"));
    }

    /** The subject of the certificate the listener presents on a new connection, or "" when the handshake fails. */
    private static String servedSubject(SSLContext tls, int port) {
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            return ((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal().getName();
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void aCompositionCallsATlsPeerGatewayWithItsClientCertificate() throws Exception {
        WireUpstream userService = resources.track(WireUpstream.start(r -> UpstreamReply.json(200,
                ("{\"id\":\"" + r.path().substring("/api/users/".length()) + "\",\"name\":\"Ada\"}")
                        .getBytes(StandardCharsets.UTF_8))));
        usersGateway(userService.port());
        GatewayServer bff = gateway("""
                domain: mobile
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api/mobile]
                mesh-tls:
                  ca: %s
                  certificate: %s
                  private-key: %s
                  server-name: %s
                  required: true
                compositions:
                  - id: profile
                    match: {path: "/api/mobile/profile/{id}"}
                    calls:
                      - {name: user, domain: users, path: "/api/users/${path.id}", at: .}
                """.formatted(mesh.caPem(), callerCert.certificatePem(), callerCert.keyPem(), MESH_NAME));
        Poll.until("the bff sees the users gateway", java.time.Duration.ofSeconds(10),
                () -> discovery.snapshot().size() == 2);
        WireResponse r = WireClient.exchange(bff.port(), "GET", "/api/mobile/profile/42");
        assertEquals(200, r.status(), r.bodyText());
        assertEquals("Ada", r.json().path("name").asText(), r.bodyText());
        assertEquals("/api/users/42", userService.lastRequest().path());
    }

    @Test
    void aCompositionRefusesAPlainPeerWhenTlsIsRequired() throws Exception {
        WireUpstream userService = resources.track(WireUpstream.start(WireUpstream.echo()));
        gateway("""
                domain: users
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api/users]
                services:
                  user-service:
                    instances: [{url: "http://127.0.0.1:%d"}]
                routes:
                  - id: users
                    match: {path: "/api/users/**", methods: [GET]}
                    service: user-service
                """.formatted(userService.port()));
        GatewayServer bff = gateway("""
                domain: mobile
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api/mobile]
                mesh-tls: {ca: %s, required: true}
                compositions:
                  - id: profile
                    match: {path: "/api/mobile/profile/{id}"}
                    calls:
                      - {name: user, domain: users, path: "/api/users/${path.id}", at: .}
                """.formatted(mesh.caPem()));
        Poll.until("both gateways registered", java.time.Duration.ofSeconds(10), () -> discovery.snapshot().size() == 2);
        WireResponse r = WireClient.exchange(bff.port(), "GET", "/api/mobile/profile/42");
        assertEquals(503, r.status(), r.bodyText());
        assertEquals(0, userService.requestCount(), "the plain gateway was never called");
        assertEquals(List.of(), userService.requests());
    }
}
