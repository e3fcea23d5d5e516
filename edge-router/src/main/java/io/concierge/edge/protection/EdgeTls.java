package io.concierge.edge.protection;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.helidon.common.tls.Tls;

/**
 * The edge's TLS material: loaded from PEM or PKCS#12 files into a Helidon {@link Tls} (TLS 1.2
 * and 1.3 only), and watched, so a renewed certificate is served without a restart.
 *
 * <p>The watcher compares a digest of the files' contents, not their modification times (which
 * a copy may keep). A file that cannot be loaded (half written, wrong password) leaves the
 * current certificate in place and is retried at the next check: a failed renewal must not take
 * HTTPS down.
 */
public final class EdgeTls implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EdgeTls.class.getName());
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private final TlsConfig config;
    /** This watch's own thread, so two edges in one JVM (tests) share nothing and close() ends it. */
    private final ScheduledExecutorService watcher;
    private String digest;

    private EdgeTls(TlsConfig config, String digest) {
        this.config = config;
        this.digest = digest;
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "concierge-tls-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Loads the key material once, failing loudly: at startup a broken certificate is a config error. */
    public static Tls load(TlsConfig config) {
        try {
            return build(config);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalStateException("cannot load the TLS key material " + config.files() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts watching the files on a thread of its own; {@code reload} receives each new {@link Tls}
     * (the edge hands it to {@code WebServer.reloadTls}). The caller owns the watch and closes it.
     */
    public static EdgeTls watch(TlsConfig config, Consumer<Tls> reload) {
        EdgeTls w = new EdgeTls(config, digestOrNull(config));
        long period = config.reloadInterval().toMillis();
        w.watcher.scheduleWithFixedDelay(() -> w.check(reload), period, period, TimeUnit.MILLISECONDS);
        return w;
    }

    private void check(Consumer<Tls> reload) {
        String now = digestOrNull(config);
        if (now == null || now.equals(digest)) {
            return;
        }
        try {
            Tls tls = build(config);
            reload.accept(tls);
            digest = now;
            LOG.info(() -> "TLS key material reloaded from " + config.files());
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warning(() -> "TLS key material in " + config.files() + " changed but cannot be loaded (" + e.getMessage()
                    + "); still serving the previous certificate");
        }
    }

    private static String digestOrNull(TlsConfig config) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : config.files()) {
                md.update(Files.readAllBytes(p));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | GeneralSecurityException e) {
            return null;
        }
    }

    private static Tls build(TlsConfig config) throws IOException, GeneralSecurityException {
        PrivateKey key;
        List<X509Certificate> chain = new ArrayList<>();
        if (config.keystore() != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            char[] pw = config.password().toCharArray();
            try (InputStream in = Files.newInputStream(config.keystore())) {
                ks.load(in, pw);
            }
            String alias = null;
            for (String a : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(a)) {
                    alias = a;
                    break;
                }
            }
            if (alias == null) {
                throw new GeneralSecurityException("the keystore has no private key entry");
            }
            key = (PrivateKey) ks.getKey(alias, pw);
            for (Certificate c : ks.getCertificateChain(alias)) {
                chain.add((X509Certificate) c);
            }
        } else {
            try (InputStream in = Files.newInputStream(config.certificate())) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    chain.add((X509Certificate) c);
                }
            }
            if (chain.isEmpty()) {
                throw new GeneralSecurityException("no certificate in " + config.certificate());
            }
            key = pemKey(Files.readString(config.privateKey()), chain.get(0).getPublicKey().getAlgorithm());
        }
        return Tls.builder()
                .privateKey(key)
                .privateKeyCertChain(chain)
                .enabledProtocols(config.protocols())
                .build();
    }

    /** A PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}, what openssl writes by default). */
    private static PrivateKey pemKey(String pem, String algorithm) throws GeneralSecurityException {
        Matcher m = PEM_KEY.matcher(pem);
        if (!m.find()) {
            throw new GeneralSecurityException("no '-----BEGIN PRIVATE KEY-----' block (PKCS#8) in the private-key file;"
                    + " convert with: openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /** Stops the watch and its thread. */
    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
