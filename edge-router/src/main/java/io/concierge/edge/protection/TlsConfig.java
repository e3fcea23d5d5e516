package io.concierge.edge.protection;

import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.tls.ServerTlsConfig;

/**
 * TLS termination at the edge: a second listener beside the plain one, with HTTP/2 over ALPN.
 * Its key material ({@link ServerTlsConfig}: PEM or PKCS#12, optional client CA) is read and served
 * as a gateway's TLS listener is ({@code io.concierge.gateway.tls.ServerTls}), watched and reloaded
 * without a restart when the files change.
 *
 * @param host     interface (default: the public listener's)
 * @param port     required; 0 takes a free port
 * @param material certificate, key, client CA, protocols and reload interval
 */
public record TlsConfig(String host, int port, ServerTlsConfig material) {

    static TlsConfig read(ConfigNode node) {
        String host = node.string("host", null);
        if (!node.has("port")) {
            throw node.error("port", "is required");
        }
        int port = node.integer("port", 8443, 0, 65535);
        return new TlsConfig(host, port, ServerTlsConfig.read(node));
    }
}
