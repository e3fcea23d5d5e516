package io.concierge.gateway.tls;

import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.discovery.Registration;

/**
 * How one mesh hop calls the gateways it finds in discovery: the edge calling a domain's gateways
 * (edge.yaml {@code upstream.tls}) and a gateway's composition calls to other domains' gateways
 * (gateway.yaml {@code mesh-tls}). A gateway whose registration says {@code scheme: https} is
 * called over TLS, its certificate and name always verified; a plain one is called plainly, unless
 * {@code required} is set, which never dispatches to it (a registry entry cannot downgrade the hop).
 *
 * @param client   trust (CA), client certificate for mTLS, {@code server-name}, protocols and reload
 *                 interval, as a service's {@code tls} section reads them; {@code server-name} matters here
 *                 because gateways register IP addresses: one certificate name (for example
 *                 {@code gateways.concierge.internal}) then serves every instance (default: the
 *                 registered host, which then has to be in the certificate's IP SANs)
 * @param required refuse gateways that registered without TLS (default false)
 */
public record MeshTlsConfig(UpstreamTlsConfig client, boolean required) {

    /** No section: TLS gateways verified against the JDK's trust store, plain ones called plainly. */
    public static MeshTlsConfig defaults() {
        return new MeshTlsConfig(UpstreamTlsConfig.defaults(), false);
    }

    /** The section, or the defaults when {@code parent} has no {@code key}. */
    public static MeshTlsConfig read(ConfigNode parent, String key) {
        if (!parent.has(key)) {
            return defaults();
        }
        ConfigNode node = parent.object(key);
        boolean required = node.bool("required", false);
        return new MeshTlsConfig(UpstreamTlsConfig.read(node), required);
    }

    /** Whether calls may go to {@code r} at all: a plain gateway is refused when TLS is required. */
    public boolean admits(Registration r) {
        return !required || r.https();
    }
}
