package io.concierge.gateway.config;

import java.net.URI;

/** One upstream instance of a service: plain HTTP host and port, and a weight for weighted balancing. */
public record InstanceConfig(String host, int port, int weight) {
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
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw node.error(key, "must be an http://host:port URL (was '" + url + "')");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw node.error(key, "must not have a path; use the route's rewrite instead (was '" + url + "')");
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        return new InstanceConfig(uri.getHost(), port, weight);
    }

    public String authority() {
        return host + ":" + port;
    }
}
