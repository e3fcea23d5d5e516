package io.concierge.gateway.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.concierge.gateway.config.HostNames;

/**
 * The client side of TLS to one service's instances: verifies the server's certificate chain
 * (against the configured CAs or the JDK's trust store) and its name (endpoint identification
 * {@code HTTPS}), sends SNI, offers TLS 1.3/1.2 only and presents the client certificate when one
 * is configured.
 *
 * <p>The files are watched ({@link MaterialWatch}, like the servers' certificates): a renewed client certificate or CA bundle is used for new connections without a restart;
 * pooled connections keep the session they have. A changed file that cannot be loaded (half written)
 * keeps the previous context and is retried at the next check.
 */
public final class UpstreamTls implements AutoCloseable {
    private final UpstreamTlsConfig config;
    private final String[] protocols;
    private volatile SSLContext context;
    private final MaterialWatch watch;

    private UpstreamTls(UpstreamTlsConfig config, SSLContext context, String service) {
        this.config = config;
        this.context = context;
        this.protocols = config.protocols().toArray(new String[0]);
        this.watch = config.files().isEmpty() ? null
                : MaterialWatch.start("concierge-upstream-tls-watch-" + service, config.files(),
                        config.reloadInterval(), "upstream TLS material of service " + service,
                        () -> this.context = KeyMaterial.context(config));
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
     * Layers TLS over a connected socket and completes the handshake within {@code timeoutMillis}; the
     * socket's reads are untimed again afterwards.
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
            // Back to untimed reads: the connection's read timeout is enforced by a sweep, not by the
            // socket (see UpstreamConnection: a timed read on a virtual thread is a costly timed park).
            s.setSoTimeout(0);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
    }
}
