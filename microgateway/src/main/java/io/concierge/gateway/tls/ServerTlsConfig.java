package io.concierge.gateway.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.concierge.gateway.config.ConfigNode;

/**
 * The key material of a TLS listener: the edge's HTTPS listener ({@code protection.tls}) and a
 * gateway's public listener ({@code listen.tls}) read it alike. Key material is either PEM
 * ({@code certificate} + {@code private-key}) or PKCS#12 ({@code keystore} +
 * {@code keystore-password}). The files are watched and reloaded without a restart ({@link ServerTls}).
 *
 * @param certificate      PEM certificate chain, or null
 * @param privateKey       PEM private key (PKCS#8), or null
 * @param keystore         PKCS#12 file, or null
 * @param keystorePassword the PKCS#12 password (use ${...}); never shown by {@link #toString()}
 * @param clientCa         PEM file of the CAs whose client certificates are accepted; when set, a client
 *                         certificate is required (mTLS) and a client without one is refused in the
 *                         handshake (default: none, no client certificate asked for)
 * @param protocols        default TLSv1.3, TLSv1.2; nothing older is accepted
 * @param reloadInterval   how often the files are checked for changes (default 10s)
 */
public record ServerTlsConfig(Path certificate, Path privateKey, Path keystore, String keystorePassword, Path clientCa,
                              List<String> protocols, Duration reloadInterval) {

    /**
     * Reads the key material keys of {@code node} and rejects any other key not read before (the
     * edge reads {@code host} and {@code port} first). The files are loaded once here, so a missing or
     * broken file fails the load with its YAML path.
     */
    public static ServerTlsConfig read(ConfigNode node) {
        String cert = node.string("certificate", null);
        String key = node.string("private-key", null);
        String ks = node.string("keystore", null);
        String pw = node.string("keystore-password", null);
        String clientCa = node.string("client-ca", null);
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
        List<String> protocols = UpstreamTlsConfig.protocols(node);
        Duration reload = UpstreamTlsConfig.reloadInterval(node);
        node.rejectUnknownKeys();
        ServerTlsConfig config = new ServerTlsConfig(path(cert), path(key), path(ks),
                pw, path(clientCa),
                protocols, reload);
        try {
            ServerTls.keyAndChain(config);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw node.error(ks != null ? "keystore" : "certificate", "cannot load the key material "
                    + config.keyFiles() + ": " + e.getMessage());
        }
        if (clientCa != null) {
            try {
                ServerTls.clientCas(config);
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                throw node.error("client-ca", "cannot load " + clientCa + ": " + e.getMessage());
            }
        }
        return config;
    }

    private static Path path(String p) {
        return p == null ? null : Path.of(p);
    }

    /** The files whose change triggers a reload. */
    public List<Path> files() {
        List<Path> files = new ArrayList<>(keyFiles());
        if (clientCa != null) {
            files.add(clientCa);
        }
        return files;
    }

    List<Path> keyFiles() {
        return keystore != null ? List.of(keystore) : List.of(certificate, privateKey);
    }

    /** Whether clients must present a certificate signed by {@link #clientCa()}. */
    public boolean requiresClientCertificate() {
        return clientCa != null;
    }

    char[] password() {
        return keystorePassword == null ? new char[0] : keystorePassword.toCharArray();
    }

    /** Kept out of logs and exception messages: the password is shown only as present or not. */
    @Override
    public String toString() {
        return "ServerTlsConfig[certificate=" + certificate + ", privateKey=" + privateKey + ", keystore=" + keystore
                + ", keystorePassword=" + (keystorePassword == null ? "none" : "***") + ", clientCa=" + clientCa
                + ", protocols=" + protocols + ", reloadInterval=" + reloadInterval + "]";
    }
}
