package io.concierge.gateway.balancing;

import java.util.concurrent.atomic.AtomicInteger;

import io.concierge.gateway.pool.ConnectionPool;

/**
 * One upstream instance as the balancer sees it: its address, weight, requests in flight and its
 * pool of keep-alive connections.
 */
public final class Upstream {
    private final String host;
    private final int port;
    /** {@code host:port} as written in {@code Host}, built once: every request sends it. */
    private final String authority;
    private final int weight;
    private final ConnectionPool pool;
    private final AtomicInteger inFlight = new AtomicInteger();
    // Guarded by the owning WeightedBalancer's lock.
    int currentWeight;

    public Upstream(String host, int port, int weight, ConnectionPool pool) {
        this.host = host;
        this.port = port;
        this.authority = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        this.weight = weight;
        this.pool = pool;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String authority() {
        return authority;
    }

    public int weight() {
        return weight;
    }

    public ConnectionPool pool() {
        return pool;
    }

    public int inFlight() {
        return inFlight.get();
    }

    public void acquired() {
        inFlight.incrementAndGet();
    }

    public void released() {
        inFlight.decrementAndGet();
    }

    @Override
    public String toString() {
        return authority();
    }
}
