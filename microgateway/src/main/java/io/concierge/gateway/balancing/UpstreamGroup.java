package io.concierge.gateway.balancing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.concierge.gateway.pool.ConnectionPool;
import io.concierge.gateway.tls.UpstreamTls;


/**
 * The instances behind one name (a service of a gateway, or a domain at the edge) with their
 * balancer and pools. The instance list can be replaced while requests run (discovery); instances
 * that stay keep their pool and in-flight counts.
 */
public final class UpstreamGroup {
    /**
     * Address and weight of one instance, as configuration or discovery gives it.
     *
     * @param plain called without TLS even when the group has TLS: a gateway that registered as plain
     *              HTTP, seen by the edge or by a composition call (default false: the group's scheme)
     */
    public record Endpoint(String host, int port, int weight, boolean plain) {
        public Endpoint(String host, int port, int weight) {
            this(host, port, weight, false);
        }

        public String key() {
            return host + ":" + port;
        }
    }

    private final String name;
    private final LoadBalancer balancer;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxIdle;
    private final Duration idleTimeout;
    /** TLS to every instance not marked {@link Endpoint#plain()}, or null for plain HTTP; owned (closed) by this group. */
    private final UpstreamTls tls;
    private volatile List<Upstream> instances = List.of();

    public UpstreamGroup(String name, LoadBalancer balancer, Duration connectTimeout, Duration readTimeout,
                         int maxIdle, Duration idleTimeout, List<Endpoint> endpoints) {
        this(name, balancer, connectTimeout, readTimeout, maxIdle, idleTimeout, endpoints, null);
    }

    public UpstreamGroup(String name, LoadBalancer balancer, Duration connectTimeout, Duration readTimeout,
                         int maxIdle, Duration idleTimeout, List<Endpoint> endpoints, UpstreamTls tls) {
        this.tls = tls;
        this.name = name;
        this.balancer = balancer;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.maxIdle = maxIdle;
        this.idleTimeout = idleTimeout;
        update(endpoints);
    }

    public String name() {
        return name;
    }

    public LoadBalancer balancer() {
        return balancer;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    public List<Upstream> instances() {
        return instances;
    }

    /** Replaces the instance set, keeping the state of instances that remain. */
    public synchronized void update(List<Endpoint> endpoints) {
        Map<String, Upstream> current = new HashMap<>();
        for (Upstream u : instances) {
            current.put(u.host() + ":" + u.port() + "/" + u.weight() + (u.pool().tls() ? "" : "/plain"), u);
        }
        List<Upstream> next = new ArrayList<>(endpoints.size());
        for (Endpoint e : endpoints) {
            UpstreamTls endpointTls = e.plain() ? null : tls;
            // The scheme is part of the key: an instance that re-registers with TLS gets a new pool.
            Upstream u = current.remove(e.key() + "/" + e.weight() + (endpointTls != null ? "" : "/plain"));
            if (u == null) {
                u = new Upstream(e.host(), e.port(), e.weight(),
                        new ConnectionPool(e.host(), e.port(), maxIdle, idleTimeout, endpointTls));
            }
            next.add(u);
        }
        instances = List.copyOf(next);
        for (Upstream gone : current.values()) {
            gone.pool().close();
        }
    }

    public void close() {
        for (Upstream u : instances) {
            u.pool().close();
        }
        if (tls != null) {
            tls.close();
        }
    }
}
