package io.concierge.gateway.discovery;

import java.util.List;
import java.util.Map;

/**
 * A running gateway instance as the mesh knows it.
 *
 * @param instanceId   unique per process ({@code domain-host-port} plus a random suffix)
 * @param domain       the business domain it serves
 * @param prefixes     path prefixes the domain owns
 * @param host         address other processes reach it on
 * @param port         its public (proxy) port
 * @param adminPort    its admin port
 * @param registeredAt epoch millis; the earlier of two conflicting claims keeps a prefix
 * @param metadata     free-form (version, config version); {@value #SCHEME} is {@value #HTTPS} when the
 *                     public port speaks TLS
 */
public record Registration(String instanceId, String domain, List<String> prefixes, String host, int port,
                           int adminPort, long registeredAt, Map<String, String> metadata) {
    /** The metadata key telling how the public port is called; absent means plain HTTP. */
    public static final String SCHEME = "scheme";
    /** Its value for a TLS listener. */
    public static final String HTTPS = "https";

    /** Whether the instance's public port speaks TLS (its registration says {@code scheme: https}). */
    public boolean https() {
        return metadata != null && HTTPS.equals(metadata.get(SCHEME));
    }
}
