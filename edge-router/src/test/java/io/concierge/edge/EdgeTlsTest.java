package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireUpstream;
import io.concierge.gateway.testing.Poll;

/**
 * TLS termination at the edge with certificates made here by keytool: HTTPS beside HTTP, HTTP/2
 * over ALPN, HSTS over TLS only, PEM and PKCS#12 material, and a certificate replaced on disk
 * being served without a restart.
 */
class EdgeTlsTest {
    static final String PASSWORD = "changeit";
    static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir
    static Path dir;
    static WireUpstream gateway;
    static List<Registration> regs;

    @BeforeAll
    static void start() {
        gateway = WireUpstream.start(WireUpstream.echo());
        regs = List.of(new Registration("shop-1", "shop", List.of("/api"), "127.0.0.1", gateway.port(), 0, 0L, Map.of()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    /** A PKCS#12 file with a self-signed EC certificate for 127.0.0.1, made by the JDK's keytool. */
    static Path keystore(String name, String cn) throws IOException, InterruptedException {
        return keystore(dir, name, cn);
    }

    /** As above, in {@code dir} (for other test classes). */
    static Path keystore(Path dir, String name, String cn) throws IOException, InterruptedException {
        Path file = dir.resolve(name);
        Files.deleteIfExists(file);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "edge", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + cn,
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return file;
    }

    static EdgeServer edge(String tls) {
        return EdgeServer.start(EdgeConfig.parse("edge-tls.yaml", """
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                discovery: {type: static}
                protection:
                  tls:
                %s
                """.formatted(tls.indent(4)), k -> null), new StaticDiscovery(regs));
    }

    static SSLContext trusting(Path keystore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("edge", ks.getCertificate("edge"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** The subject of the certificate the server presents now, on a fresh connection. */
    private static String subjectOrNull(int port) {
        try {
            return servedSubject(port);
        } catch (Exception e) {
            return "";
        }
    }

    static String servedSubject(int port) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    static String negotiated(int port, String protocol) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.setEnabledProtocols(new String[] {protocol});
            s.startHandshake();
            return s.getSession().getProtocol();
        }
    }

    @Test
    void httpsBesideHttpWithHttp2AndHsts() throws Exception {
        Path ks = keystore("main.p12", "edge-one");
        try (EdgeServer edge = edge("port: 0\nkeystore: " + ks + "\nkeystore-password: " + PASSWORD)) {
            try (HttpClient client = HttpClient.newBuilder().sslContext(trusting(ks)).version(HttpClient.Version.HTTP_2)
                    .connectTimeout(Duration.ofSeconds(10)).build()) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + edge.tlsPort() + "/api/x")).timeout(WAIT).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(HttpClient.Version.HTTP_2, r.version(), "HTTP/2 is negotiated by ALPN");
                assertEquals("max-age=31536000", r.headers().firstValue("Strict-Transport-Security").orElse(null));
                assertTrue(gateway.lastRequest().header("X-Forwarded-Proto").endsWith("https"));
            }
            assertNull(WireClient.exchange(edge.port(), "GET", "/api/x").header("Strict-Transport-Security"),
                    "never on the plain listener");
            assertEquals("TLSv1.2", negotiated(edge.tlsPort(), "TLSv1.2"));
            assertEquals("TLSv1.3", negotiated(edge.tlsPort(), "TLSv1.3"));
        }
    }

    @Test
    void aReplacedCertificateIsServedWithoutARestart() throws Exception {
        Path ks = keystore("reload.p12", "before");
        try (EdgeServer edge = edge("port: 0\nkeystore: " + ks + "\nkeystore-password: " + PASSWORD
                + "\nreload-interval: 100ms")) {
            assertEquals("CN=before", servedSubject(edge.tlsPort()));
            Path next = keystore("next.p12", "after");
            Files.move(next, ks, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Poll.until("the replaced certificate is served", WAIT, () -> subjectOrNull(edge.tlsPort()).equals("CN=after"));
            // A broken file in its place keeps the current certificate.
            Files.writeString(ks, "not a keystore");
            assertEquals("CN=after", servedSubject(edge.tlsPort()));
        }
    }

    @Test
    void pemKeyMaterialWorksToo() throws Exception {
        Path ks = keystore("pem-source.p12", "pem-edge");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, PASSWORD.toCharArray());
        }
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Path cert = dir.resolve("edge.crt");
        Path key = dir.resolve("edge.key");
        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(store.getCertificate("edge").getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + b64.encodeToString(store.getKey("edge", PASSWORD.toCharArray()).getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        try (EdgeServer edge = edge("port: 0\ncertificate: " + cert + "\nprivate-key: " + key)) {
            assertEquals("CN=pem-edge", servedSubject(edge.tlsPort()));
        }
    }

    @Test
    void oldProtocolsAndHalfConfiguredMaterialAreConfigErrors() {
        ConfigException old = assertThrows(ConfigException.class, () -> EdgeConfig.parse("e.yaml",
                "protection:\n  tls: {port: 0, keystore: x.p12, keystore-password: p, protocols: [TLSv1.1]}\n", k -> null));
        assertEquals("e.yaml: protection.tls.protocols[0]: 'TLSv1.1' is not allowed (TLSv1.2 and TLSv1.3 only)",
                old.getMessage());
        ConfigException half = assertThrows(ConfigException.class, () -> EdgeConfig.parse("e.yaml",
                "protection:\n  tls: {port: 0, certificate: a.crt}\n", k -> null));
        assertEquals("e.yaml: protection.tls.private-key: is required with PEM key material", half.getMessage());
    }
}
