package io.concierge.gateway.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;

/**
 * A TLS listener's material (the edge's HTTPS listener, a gateway's TLS public listener): loaded
 * from PEM or PKCS#12 files into a Helidon {@link Tls} (TLS 1.2 and 1.3 only; with a client CA, a
 * client certificate is required), and watched, so a renewed certificate is served without a restart.
 *
 * <p>The watcher compares a digest of the files' contents, not their modification times (which
 * a copy may keep). A file that cannot be loaded (half written, wrong password) leaves the
 * current certificate in place and is retried at the next check: a failed renewal must not take
 * HTTPS down.
 */
public final class ServerTls implements AutoCloseable {
    private final MaterialWatch watch;

    private ServerTls(MaterialWatch watch) {
        this.watch = watch;
    }

    /** Loads the key material once, failing loudly: at startup a broken certificate is a config error. */
    public static Tls load(ServerTlsConfig config) {
        try {
            return build(config);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalStateException("cannot load the TLS key material " + config.files() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts watching the files on a thread of its own; {@code reload} receives each new {@link Tls}
     * (the server hands it to {@code WebServer.reloadTls}). The caller owns the watch and closes it.
     */
    public static ServerTls watch(ServerTlsConfig config, Consumer<Tls> reload) {
        return new ServerTls(MaterialWatch.start("concierge-tls-watch", config.files(), config.reloadInterval(),
                "TLS key material", () -> reload.accept(build(config))));
    }

    private static Tls build(ServerTlsConfig config) throws IOException, GeneralSecurityException {
        KeyAndChain k = keyAndChain(config);
        io.helidon.common.tls.TlsConfig.Builder b = Tls.builder()
                .privateKey(k.key())
                .privateKeyCertChain(k.chain())
                .enabledProtocols(config.protocols());
        if (config.clientCa() != null) {
            b.trust(clientCas(config)).clientAuth(TlsClientAuth.REQUIRED);
        }
        return b.build();
    }

    record KeyAndChain(PrivateKey key, List<X509Certificate> chain) {
    }

    static KeyAndChain keyAndChain(ServerTlsConfig config) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = new ArrayList<>();
        if (config.keystore() != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            char[] pw = config.password();
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
            for (Certificate c : ks.getCertificateChain(alias)) {
                chain.add((X509Certificate) c);
            }
            return new KeyAndChain((PrivateKey) ks.getKey(alias, pw), chain);
        }
        chain.addAll(KeyMaterial.certificates(config.certificate()));
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + config.certificate());
        }
        return new KeyAndChain(KeyMaterial.pemKey(Files.readString(config.privateKey()),
                chain.get(0).getPublicKey().getAlgorithm()), chain);
    }

    /** The CA certificates client certificates must chain to. */
    static List<X509Certificate> clientCas(ServerTlsConfig config) throws IOException, GeneralSecurityException {
        List<X509Certificate> cas = new ArrayList<>(KeyMaterial.certificates(config.clientCa()));
        if (cas.isEmpty()) {
            throw new GeneralSecurityException("no PEM certificate in " + config.clientCa());
        }
        return cas;
    }

    /** Stops the watch and its thread. */
    @Override
    public void close() {
        watch.close();
    }
}
