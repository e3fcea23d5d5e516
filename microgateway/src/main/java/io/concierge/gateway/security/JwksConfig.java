package io.concierge.gateway.security;

import java.net.URI;
import java.time.Duration;

import io.concierge.gateway.config.ConfigNode;

/**
 * Where an issuer publishes its public keys and how the gateway caches them.
 *
 * @param url                 the JWKS document, {@code http} or {@code https}; required
 * @param refreshInterval     the keys are refetched in the background this often, so a rotation
 *                            is picked up without restart (default 5m)
 * @param minRefetchInterval  a token with an unknown {@code kid} triggers a refetch at most once
 *                            per this interval, so a flood of random kids cannot hammer the issuer (default 30s)
 * @param timeout             connect and read timeout of one fetch (default 2s)
 * @param maxStale            while the endpoint is down the cached keys keep serving for at most this
 *                            long after the last successful fetch; then tokens are refused (default 24h)
 */
public record JwksConfig(URI url, Duration refreshInterval, Duration minRefetchInterval, Duration timeout,
                         Duration maxStale) {

    static JwksConfig read(ConfigNode node) {
        String text = node.requiredString("url");
        URI url;
        try {
            url = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw node.error("url", "not a URL: '" + text + "'");
        }
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
                || url.getHost() == null) {
            throw node.error("url", "must be an http:// or https:// URL with a host (was '" + text + "')");
        }
        JwksConfig c = new JwksConfig(url,
                positive(node, "refresh-interval", Duration.ofMinutes(5)),
                positive(node, "min-refetch-interval", Duration.ofSeconds(30)),
                positive(node, "timeout", Duration.ofSeconds(2)),
                positive(node, "max-stale", Duration.ofHours(24)));
        if (c.maxStale().compareTo(c.refreshInterval()) < 0) {
            throw node.error("max-stale", "must be at least refresh-interval (" + c.refreshInterval().toMillis() + "ms)");
        }
        node.rejectUnknownKeys();
        return c;
    }

    private static Duration positive(ConfigNode node, String key, Duration def) {
        Duration d = node.duration(key, def);
        if (d.toMillis() < 10) {
            throw node.error(key, "must be at least 10ms");
        }
        return d;
    }
}
