package io.concierge.edge.protection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.security.Secret;

/**
 * TLS termination at the edge: a second listener beside the plain one, with HTTP/2 over ALPN.
 * Key material is either PEM ({@code certificate} + {@code private-key}) or PKCS#12
 * ({@code keystore} + {@code keystore-password}). The files are watched and reloaded without a
 * restart when they change.
 *
 * @param host             interface (default: the public listener's)
 * @param port             required; 0 takes a free port
 * @param certificate      PEM certificate chain, or null
 * @param privateKey       PEM private key (PKCS#8), or null
 * @param keystore         PKCS#12 file, or null
 * @param keystorePassword the PKCS#12 password (use ${...})
 * @param protocols        default TLSv1.3, TLSv1.2; nothing older is accepted
 * @param reloadInterval   how often the files are checked for changes (default 10s)
 */
public record TlsConfig(String host, int port, Path certificate, Path privateKey, Path keystore,
                        Secret keystorePassword, List<String> protocols, Duration reloadInterval) {

    static TlsConfig read(ConfigNode node) {
        String host = node.string("host", null);
        if (!node.has("port")) {
            throw node.error("port", "is required");
        }
        int port = node.integer("port", 8443, 0, 65535);
        String cert = node.string("certificate", null);
        String key = node.string("private-key", null);
        String ks = node.string("keystore", null);
        String pw = node.string("keystore-password", null);
        boolean pem = cert != null || key != null;
        if (pem == (ks != null)) {
            throw node.error("either 'certificate' and 'private-key' (PEM) or 'keystore' (PKCS#12) is required, not both");
        }
        if (pem && (cert == null || key == null)) {
            throw node.error(cert == null ? "certificate" : "private-key", "is required with PEM key material");
        }
        if (ks != null && pw == null) {
            throw node.error("keystore-password", "is required with a keystore");
        }
        List<String> protocols = new ArrayList<>();
        List<String> given = node.stringList("protocols");
        for (int i = 0; i < given.size(); i++) {
            String p = given.get(i).trim();
            if (!p.equals("TLSv1.3") && !p.equals("TLSv1.2")) {
                throw node.error("protocols[" + i + "]", "'" + p + "' is not allowed (TLSv1.2 and TLSv1.3 only)");
            }
            protocols.add(p);
        }
        if (protocols.isEmpty()) {
            protocols = List.of("TLSv1.3", "TLSv1.2");
        }
        Duration reload = node.duration("reload-interval", Duration.ofSeconds(10));
        if (reload.toMillis() < 100) {
            throw node.error("reload-interval", "must be at least 100ms");
        }
        node.rejectUnknownKeys();
        return new TlsConfig(host, port, cert == null ? null : Path.of(cert), key == null ? null : Path.of(key),
                ks == null ? null : Path.of(ks), pw == null ? null : new Secret(pw.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                List.copyOf(protocols), reload);
    }

    /** The files whose change triggers a reload. */
    List<Path> files() {
        return keystore != null ? List.of(keystore) : List.of(certificate, privateKey);
    }

    String password() {
        return keystorePassword == null ? null : new String(keystorePassword.bytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
