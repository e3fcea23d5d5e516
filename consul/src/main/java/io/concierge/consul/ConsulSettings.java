package io.concierge.consul;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import io.concierge.gateway.config.ConfigNode;

/**
 * {@code discovery.consul} of a gateway.yaml or edge.yaml, validated at load. Documented key by key
 * in docs/configuration.md.
 *
 * @param address                 the agent's HTTP API (default {@code $CONSUL_HTTP_ADDR}, else
 *                                {@code http://127.0.0.1:8500})
 * @param token                   ACL token sent as {@code X-Consul-Token} (default
 *                                {@code $CONSUL_HTTP_TOKEN}, else none)
 * @param datacenter              {@code dc} of every query (default: the agent's)
 * @param namespace               {@code ns} of every call, Consul Enterprise (default: none)
 * @param serviceName             the Consul service every gateway registers as (default
 *                                {@code concierge-gateway}); the edge watches the same name
 * @param tags                    extra tags (Concierge always adds {@code concierge} and the domain)
 * @param advertiseAddress        address to register (default: the gateway's listen host)
 * @param checkPath               path of the HTTP check on the admin port (default {@code /health/live}:
 *                                the gateway process serves; a down upstream service must not take
 *                                the whole gateway, its fallbacks and its other routes out of rotation)
 * @param checkInterval           default 2s
 * @param checkTimeout            default 1s
 * @param deregisterCriticalAfter Consul removes an instance whose check stays critical this long
 *                                (default 1m; Consul never reaps sooner than 1m)
 * @param watchWait               the blocking query's {@code wait} (default 1m, at most 10m)
 * @param backoffMin              first retry delay after a failed call (default 500ms)
 * @param backoffMax              retry delay cap (default 15s)
 * @param timeout                 connect timeout and the timeout of non-blocking calls (default 5s)
 * @param resyncInterval          how often each own registration is checked and restored if the
 *                                agent lost it (default 30s)
 */
public record ConsulSettings(URI address, String token, String datacenter, String namespace, String serviceName,
                             List<String> tags, String advertiseAddress, String checkPath, Duration checkInterval,
                             Duration checkTimeout, Duration deregisterCriticalAfter, Duration watchWait,
                             Duration backoffMin, Duration backoffMax, Duration timeout, Duration resyncInterval) {
    static final String DEFAULT_ADDRESS = "http://127.0.0.1:8500";
    static final String DEFAULT_SERVICE_NAME = "concierge-gateway";
    /** Consul's documented ceiling for a blocking query's wait. */
    static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,62}";

    /**
     * @param discovery the {@code discovery} mapping
     * @param env       environment, for Consul's own defaults {@code CONSUL_HTTP_ADDR} and
     *                  {@code CONSUL_HTTP_TOKEN} (the variables Consul's CLI and clients read)
     */
    public static ConsulSettings read(ConfigNode discovery, Function<String, String> env) {
        ConfigNode c = discovery.object("consul");
        String envAddress = env.apply("CONSUL_HTTP_ADDR");
        String addressText = c.string("address", envAddress == null || envAddress.isBlank() ? DEFAULT_ADDRESS : envAddress);
        URI address = address(c, addressText);
        String envToken = env.apply("CONSUL_HTTP_TOKEN");
        String token = c.string("token", "").trim();
        if (token.isEmpty() && envToken != null) {
            // `token: ${CONSUL_TOKEN:}` left empty means "not set here", as for the address.
            token = envToken.trim();
        }
        if (!token.isEmpty() && !token.matches("[\\x21-\\x7e]{1,256}")) {
            throw c.error("token", "must be printable ASCII without spaces, at most 256 characters");
        }
        String dc = optionalName(c, "datacenter");
        String ns = optionalName(c, "namespace");
        String serviceName = c.string("service-name", DEFAULT_SERVICE_NAME);
        if (!serviceName.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw c.error("service-name", "must be a DNS label: lower-case letters, digits and '-' (was '" + serviceName + "')");
        }
        List<String> tags = c.stringList("tags");
        for (int i = 0; i < tags.size(); i++) {
            if (!tags.get(i).matches(NAME)) {
                throw c.error("tags[" + i + "]", "letters, digits, '_', '.' and '-', at most 63 (was '" + tags.get(i) + "')");
            }
        }
        String advertise = c.string("advertise-address", null);
        if (advertise != null && !advertise.matches("[A-Za-z0-9.:\\[\\]-]{1,253}")) {
            throw c.error("advertise-address", "must be a host name or IP address (was '" + advertise + "')");
        }
        ConfigNode check = c.object("check");
        String path = check.string("path", "/health/live");
        if (!path.startsWith("/") || path.contains(" ") || path.contains("#")) {
            throw check.error("path", "must be an absolute path such as /health (was '" + path + "')");
        }
        Duration interval = atLeast(check, "interval", Duration.ofSeconds(2), Duration.ofMillis(100));
        Duration checkTimeout = atLeast(check, "timeout", Duration.ofSeconds(1), Duration.ofMillis(100));
        Duration deregister = atLeast(check, "deregister-critical-after", Duration.ofMinutes(1), Duration.ofSeconds(1));
        check.rejectUnknownKeys();
        ConfigNode watch = c.object("watch");
        Duration wait = atLeast(watch, "wait", Duration.ofMinutes(1), Duration.ofSeconds(1));
        if (wait.compareTo(MAX_WAIT) > 0) {
            throw watch.error("wait", "Consul limits a blocking query to 10m (was " + wait.toSeconds() + "s)");
        }
        Duration backoffMin = atLeast(watch, "backoff-min", Duration.ofMillis(500), Duration.ofMillis(10));
        Duration backoffMax = atLeast(watch, "backoff-max", Duration.ofSeconds(15), Duration.ofMillis(10));
        if (backoffMax.compareTo(backoffMin) < 0) {
            throw watch.error("backoff-max", "must not be below backoff-min");
        }
        watch.rejectUnknownKeys();
        Duration timeout = atLeast(c, "timeout", Duration.ofSeconds(5), Duration.ofMillis(100));
        Duration resync = atLeast(c, "resync-interval", Duration.ofSeconds(30), Duration.ofMillis(100));
        c.rejectUnknownKeys();
        return new ConsulSettings(address, token, dc, ns, serviceName, List.copyOf(tags), advertise, path, interval,
                checkTimeout, deregister, wait, backoffMin, backoffMax, timeout, resync);
    }

    private static URI address(ConfigNode c, String text) {
        // Consul's CLI accepts CONSUL_HTTP_ADDR without a scheme; so do we.
        String withScheme = text.contains("://") ? text : "http://" + text;
        URI uri;
        try {
            uri = URI.create(withScheme);
        } catch (IllegalArgumentException e) {
            throw c.error("address", "not a URL: '" + text + "'");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw c.error("address", "must be an http:// or https:// URL of the Consul agent (was '" + text + "')");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw c.error("address", "must not have a path; the API lives under /v1 (was '" + text + "')");
        }
        if (uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
            throw c.error("address", "must not have a query or user info; use token for ACLs (was '" + text + "')");
        }
        int port = uri.getPort() == -1 ? ("https".equals(uri.getScheme()) ? 443 : 80) : uri.getPort();
        return URI.create(uri.getScheme() + "://" + uri.getHost() + ":" + port);
    }

    private static String optionalName(ConfigNode c, String key) {
        String v = c.string(key, null);
        if (v == null || v.isBlank()) {
            return null;
        }
        if (!v.matches(NAME)) {
            throw c.error(key, "letters, digits, '_', '.' and '-', at most 63 (was '" + v + "')");
        }
        return v;
    }

    private static Duration atLeast(ConfigNode node, String key, Duration defaultValue, Duration min) {
        Duration d = node.duration(key, defaultValue);
        if (d.compareTo(min) < 0) {
            throw node.error(key, "must be at least " + min.toMillis() + "ms (was " + d.toMillis() + "ms)");
        }
        return d;
    }

    /** Where this points, for logs and health; never the token. */
    public String describe() {
        return address + " service '" + serviceName + "'" + (datacenter == null ? "" : " dc " + datacenter)
                + (namespace == null ? "" : " ns " + namespace) + (token.isEmpty() ? "" : " (ACL token set)");
    }
}
