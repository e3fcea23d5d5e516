package io.concierge.gateway.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.config.HostNames;

/**
 * How a gateway talks TLS to the instances of one service (the service's {@code tls} section;
 * {@code https://} instance URLs alone give the defaults). The server's certificate is always
 * verified, and so is its name: there is deliberately no switch to turn either off.
 *
 * @param ca               PEM file of the CA certificates to trust instead of the JDK's trust store (default: the
 *                         JDK's)
 * @param certificate      PEM client certificate chain for mTLS, or null
 * @param privateKey       PEM (PKCS#8) key of {@code certificate}, or null
 * @param keystore         PKCS#12 file with the client key and chain for mTLS, instead of PEM, or null
 * @param keystorePassword its password (use ${...}); never shown by {@link #toString()}
 * @param serverName       the name sent as SNI and required in the server's certificate (default: the instance's
 *                         host; an IP address then has to be in the certificate's IP SANs)
 * @param protocols        default TLSv1.3, TLSv1.2; nothing older is accepted
 * @param reloadInterval   how often the files are checked for changes (default 10s)
 */
public record UpstreamTlsConfig(Path ca, Path certificate, Path privateKey, Path keystore, String keystorePassword,
                                String serverName, List<String> protocols, Duration reloadInterval) {

    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** {@code https://} instances without a {@code tls} section: the JDK's trust store, no client certificate. */
    public static UpstreamTlsConfig defaults() {
        return new UpstreamTlsConfig(null, null, null, null, null, null, DEFAULT_PROTOCOLS, Duration.ofSeconds(10));
    }

    /** Reads and loads the section once, so a missing or broken file fails the load with its YAML path. */
    public static UpstreamTlsConfig read(ConfigNode node) {
        String ca = node.string("ca", null);
        String cert = node.string("certificate", null);
        String key = node.string("private-key", null);
        String ks = node.string("keystore", null);
        String pw = node.string("keystore-password", null);
        if ((cert != null || key != null) && ks != null) {
            throw node.error("keystore", "give the client certificate either as 'certificate' and 'private-key' (PEM)"
                    + " or as 'keystore' (PKCS#12), not both");
        }
        if ((cert == null) != (key == null)) {
            throw node.error(cert == null ? "certificate" : "private-key", "is required with a PEM client "
                    + (cert == null ? "key" : "certificate"));
        }
        if (ks != null && pw == null) {
            throw node.error("keystore-password", "is required with a keystore");
        }
        String serverName = node.string("server-name", null);
        if (serverName != null && !HostNames.isDnsName(serverName)) {
            throw node.error("server-name", "must be a DNS name (was '" + serverName + "')");
        }
        List<String> protocols = protocols(node);
        Duration reload = reloadInterval(node);
        node.rejectUnknownKeys();
        UpstreamTlsConfig config = new UpstreamTlsConfig(path(ca), path(cert), path(key), path(ks),
                pw, serverName,
                protocols, reload);
        try {
            KeyMaterial.trustManagers(config);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw node.error("ca", "cannot load " + ca + ": " + e.getMessage());
        }
        try {
            KeyMaterial.keyManagers(config);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw node.error(ks != null ? "keystore" : "certificate", "cannot load the client key material "
                    + config.clientFiles() + ": " + e.getMessage());
        }
        return config;
    }

    /** {@code protocols}: TLSv1.2 and TLSv1.3 only; {@link #DEFAULT_PROTOCOLS} when absent. Shared with the listeners' TLS. */
    static List<String> protocols(ConfigNode node) {
        List<String> protocols = new ArrayList<>();
        List<String> given = node.stringList("protocols");
        for (int i = 0; i < given.size(); i++) {
            String p = given.get(i).trim();
            if (!p.equals("TLSv1.3") && !p.equals("TLSv1.2")) {
                throw node.error("protocols[" + i + "]", "'" + p + "' is not allowed (TLSv1.2 and TLSv1.3 only)");
            }
            protocols.add(p);
        }
        return protocols.isEmpty() ? DEFAULT_PROTOCOLS : List.copyOf(protocols);
    }

    /** {@code reload-interval} of the key-material watch: default 10s, at least 100ms. */
    static Duration reloadInterval(ConfigNode node) {
        Duration reload = node.duration("reload-interval", Duration.ofSeconds(10));
        if (reload.toMillis() < 100) {
            throw node.error("reload-interval", "must be at least 100ms");
        }
        return reload;
    }

    private static Path path(String p) {
        return p == null ? null : Path.of(p);
    }

    /** Files whose change triggers a reload of the TLS context. */
    public List<Path> files() {
        List<Path> files = new ArrayList<>();
        if (ca != null) {
            files.add(ca);
        }
        files.addAll(clientFiles());
        return files;
    }

    List<Path> clientFiles() {
        if (keystore != null) {
            return List.of(keystore);
        }
        return certificate == null ? List.of() : List.of(certificate, privateKey);
    }

    char[] password() {
        return keystorePassword == null ? new char[0] : keystorePassword.toCharArray();
    }

    /** Kept out of logs and exception messages: the password is shown only as present or not. */
    @Override
    public String toString() {
        return "UpstreamTlsConfig[ca=" + ca + ", certificate=" + certificate + ", privateKey=" + privateKey
                + ", keystore=" + keystore + ", keystorePassword=" + (keystorePassword == null ? "none" : "***")
                + ", serverName=" + serverName + ", protocols=" + protocols + ", reloadInterval=" + reloadInterval + "]";
    }
}
