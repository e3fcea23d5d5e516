package io.concierge.gateway.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The client side of TLS to one service's instances: verifies the server's certificate chain
 * (against the configured CAs or the JDK's trust store) and its name (endpoint identification
 * {@code HTTPS}), sends SNI, offers TLS 1.3/1.2 only and presents the client certificate when one
 * is configured.
 *
 * <p>The files are watched like the edge's certificate (a digest of their contents, not their
 * times): a renewed client certificate or CA bundle is used for new connections without a restart;
 * pooled connections keep the session they have. A changed file that cannot be loaded (half written)
 * keeps the previous context and is retried at the next check.
 */
public final class UpstreamTls implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UpstreamTls.class.getName());

    private final UpstreamTlsConfig config;
    private final String[] protocols;
    private volatile SSLContext context;
    private final ScheduledExecutorService watcher;
    private String digest;

    private UpstreamTls(UpstreamTlsConfig config, SSLContext context, String service) {
        this.config = config;
        this.context = context;
        this.protocols = config.protocols().toArray(new String[0]);
        List<Path> files = config.files();
        if (files.isEmpty()) {
            this.watcher = null;
            return;
        }
        this.digest = digestOrNull(files);
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "concierge-upstream-tls-watch-" + service);
            t.setDaemon(true);
            return t;
        });
        long period = config.reloadInterval().toMillis();
        watcher.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /** Loads the material and, when there are files, starts watching them; the caller closes it. */
    public static UpstreamTls start(String service, UpstreamTlsConfig config) {
        try {
            return new UpstreamTls(config, KeyMaterial.context(config), service);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("service " + service + ": cannot load the TLS material " + config.files()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Layers TLS over a connected socket and completes the handshake within {@code timeoutMillis}.
     * The returned socket owns {@code raw} (closing it closes both); on failure both are closed.
     */
    public SSLSocket handshake(Socket raw, String host, int port, int timeoutMillis) throws IOException {
        String peer = config.serverName() != null ? config.serverName() : host;
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(raw, peer, port, true);
        try {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            p.setProtocols(protocols);
            if (HostNames.isDnsName(peer)) {
                p.setServerNames(List.of(new SNIHostName(peer)));
            }
            s.setSSLParameters(p);
            s.setSoTimeout(timeoutMillis);
            s.startHandshake();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void check() {
        List<Path> files = config.files();
        String now = digestOrNull(files);
        if (now == null || now.equals(digest)) {
            return;
        }
        try {
            context = KeyMaterial.context(config);
            digest = now;
            LOG.info(() -> "upstream TLS material reloaded from " + files);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warning(() -> "upstream TLS material in " + files + " changed but cannot be loaded (" + e.getMessage()
                    + "); new connections keep using the previous one");
        }
    }

    private static String digestOrNull(List<Path> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : files) {
                md.update(Files.readAllBytes(p));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | GeneralSecurityException e) {
            return null;
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}
