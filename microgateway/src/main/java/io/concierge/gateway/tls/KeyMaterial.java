package io.concierge.gateway.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds a client {@link SSLContext} from PEM or PKCS#12 files. The JDK has no PEM key store, so
 * certificates go through {@link CertificateFactory} and PKCS#8 keys through {@link KeyFactory}
 * ({@link ServerTls} reads a listener's PEM files with the same two helpers).
 */
final class KeyMaterial {
    private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
    private static final String END_KEY = "-----END PRIVATE KEY-----";

    private KeyMaterial() {
    }

    static SSLContext context(UpstreamTlsConfig config) throws IOException, GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keyManagers(config), trustManagers(config), null);
        return ctx;
    }

    /** The configured CAs, or null for the JDK's default trust store. */
    static TrustManager[] trustManagers(UpstreamTlsConfig config) throws IOException, GeneralSecurityException {
        if (config.ca() == null) {
            return null;
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int n = 0;
        for (X509Certificate c : certificates(config.ca())) {
            trust.setCertificateEntry("ca-" + n++, c);
        }
        if (n == 0) {
            throw new GeneralSecurityException("no PEM certificate in " + config.ca());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf.getTrustManagers();
    }

    /** The client certificate for mTLS, or null when none is configured. */
    static KeyManager[] keyManagers(UpstreamTlsConfig config) throws IOException, GeneralSecurityException {
        KeyStore ks;
        char[] pw = config.password();
        if (config.keystore() != null) {
            ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(config.keystore())) {
                ks.load(in, pw);
            }
        } else if (config.certificate() != null) {
            Collection<X509Certificate> chain = certificates(config.certificate());
            if (chain.isEmpty()) {
                throw new GeneralSecurityException("no PEM certificate in " + config.certificate());
            }
            X509Certificate leaf = chain.iterator().next();
            PrivateKey key = pemKey(Files.readString(config.privateKey()), leaf.getPublicKey().getAlgorithm());
            ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", key, pw, chain.toArray(new Certificate[0]));
        } else {
            return null;
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        return kmf.getKeyManagers();
    }

    @SuppressWarnings("unchecked")
    static Collection<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return (Collection<X509Certificate>) CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    /** A PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}, what openssl writes by default). */
    static PrivateKey pemKey(String pem, String algorithm) throws GeneralSecurityException {
        int begin = pem.indexOf(BEGIN_KEY);
        int end = pem.indexOf(END_KEY);
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException("no '" + BEGIN_KEY + "' block (PKCS#8) in the private-key file;"
                    + " convert with: openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN_KEY.length(), end));
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}
