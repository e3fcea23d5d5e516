package io.concierge.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate authority for TLS tests, made at run time by the JDK's keytool (no key
 * is committed): a CA and leaf certificates it signs, each available as PEM (certificate chain,
 * PKCS#8 key), as a PKCS#12 file, and as a server {@link SSLContext}.
 */
public final class TestPki {
    public static final String PASSWORD = "changeit";

    private final Path dir;
    private final String name;
    private final Path keystore;
    private final X509Certificate certificate;

    private TestPki(Path dir, String name, Path keystore, X509Certificate certificate) {
        this.dir = dir;
        this.name = name;
        this.keystore = keystore;
        this.certificate = certificate;
    }

    /** A new CA named {@code name}, its files in {@code dir}. */
    public static TestPki create(Path dir, String name) throws IOException, InterruptedException {
        Path ks = dir.resolve(name + ".p12");
        Files.deleteIfExists(ks);
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", "30", "-storetype", "PKCS12", "-keystore", ks.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        try {
            X509Certificate ca = (X509Certificate) load(ks).getCertificate("ca");
            TestPki pki = new TestPki(dir, name, ks, ca);
            Files.writeString(pki.caPem(), pem(ca));
            return pki;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** The CA certificate as a PEM file (what a {@code tls.ca} setting points to). */
    public Path caPem() {
        return dir.resolve(name + "-ca.pem");
    }

    /**
     * A leaf certificate signed by this CA for the subject alternative names {@code san} (keytool
     * syntax, e.g. {@code ip:127.0.0.1,dns:localhost}), valid from now for 30 days.
     */
    public Leaf issue(String leafName, String san) throws IOException, InterruptedException {
        return issue(leafName, san, null);
    }

    /** As {@link #issue(String, String)}, but valid for one day from {@code startDate} (keytool's yyyy/MM/dd). */
    public Leaf issueExpired(String leafName, String san, String startDate) throws IOException, InterruptedException {
        return issue(leafName, san, startDate);
    }

    private Leaf issue(String leafName, String san, String startDate) throws IOException, InterruptedException {
        Path ks = dir.resolve(leafName + ".p12");
        Path csr = dir.resolve(leafName + ".csr");
        Path crt = dir.resolve(leafName + ".crt");
        for (Path p : List.of(ks, csr, crt)) {
            Files.deleteIfExists(p);
        }
        keytool("-genkeypair", "-alias", "leaf", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + leafName,
                "-validity", "30", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", PASSWORD,
                "-keypass", PASSWORD);
        keytool("-certreq", "-alias", "leaf", "-keystore", ks.toString(), "-storepass", PASSWORD, "-file", csr.toString());
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-infile", csr.toString(), "-outfile", crt.toString(), "-rfc",
                "-ext", "san=" + san, "-ext", "eku=serverAuth,clientAuth"));
        if (startDate != null) {
            gencert.addAll(List.of("-startdate", startDate, "-validity", "1"));
        } else {
            gencert.addAll(List.of("-validity", "30"));
        }
        keytool(gencert.toArray(new String[0]));
        try {
            KeyStore store = load(ks);
            PrivateKey key = (PrivateKey) store.getKey("leaf", PASSWORD.toCharArray());
            X509Certificate leaf;
            try (InputStream in = Files.newInputStream(crt)) {
                leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            // The PKCS#12 file gets the signed chain, so it serves as a client keystore as it is.
            store.setKeyEntry("leaf", key, PASSWORD.toCharArray(), new Certificate[] {leaf, certificate});
            try (OutputStream out = Files.newOutputStream(ks)) {
                store.store(out, PASSWORD.toCharArray());
            }
            Path certPem = dir.resolve(leafName + "-chain.pem");
            Files.writeString(certPem, pem(leaf) + pem(certificate));
            Path keyPem = dir.resolve(leafName + "-key.pem");
            Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            return new Leaf(ks, certPem, keyPem);
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** A leaf's files. */
    public record Leaf(Path keystore, Path certificatePem, Path keyPem) {
        /** A server context presenting this leaf and trusting {@code clientCa} for client certificates. */
        public SSLContext serverContext(TestPki clientCa) throws Exception {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keystore), PASSWORD.toCharArray());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", clientCa.certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        }
    }

    private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    private static String pem(X509Certificate c) throws IOException {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // A short-lived tool JVM: no JIT tiers beyond C1 and a small heap start it faster.
        cmd.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
