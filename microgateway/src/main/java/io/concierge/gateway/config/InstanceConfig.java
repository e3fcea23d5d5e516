package io.concierge.gateway.config;

import java.net.URI;

/**
 * One upstream instance of a service: host and port, a weight for weighted balancing, and whether
 * it speaks TLS ({@code https://}).
 */
public record InstanceConfig(String host, int port, int weight, boolean tls) {
    /** A plain HTTP instance. */
    public InstanceConfig(String host, int port, int weight) {
        this(host, port, weight, false);
    }

    public static InstanceConfig read(ConfigNode node) {
        String url = node.requiredString("url");
        int weight = node.integer("weight", 1, 1, 1000);
        node.rejectUnknownKeys();
        return fromUrl(url, weight, node, "url");
    }

    public static InstanceConfig fromUrl(String url, int weight, ConfigNode node, String key) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw node.error(key, "not a URL: '" + url + "'");
        }
        boolean tls = "https".equals(uri.getScheme());
        if (!tls && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw node.error(key, "must be an http://host:port or https://host:port URL (was '" + url + "')");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw node.error(key, "must not have a path; use the route's rewrite instead (was '" + url + "')");
        }
        int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
        return new InstanceConfig(uri.getHost(), port, weight, tls);
    }

    public String authority() {
        return host + ":" + port;
    }
}
