package io.concierge.gateway.pool;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import io.concierge.gateway.tls.UpstreamTls;

/**
 * Keep-alive connections to one upstream instance. Most recently used first, so a lightly loaded
 * service keeps a few warm connections and the rest age out. A connection idle longer than
 * {@code idleTimeout} is closed rather than reused: upstream servers close idle keep-alive sockets
 * on their own schedule and a request written into a socket that is being closed is lost.
 */
public final class ConnectionPool {
    private final String host;
    private final int port;
    private final int maxIdle;
    private final long idleTimeoutNanos;
    /** TLS to this instance, or null for plain HTTP. */
    private final UpstreamTls tls;
    /** Enforces the read timeouts of this pool's connections. */
    private final UpstreamReadSweeper sweeper;
    private final ConcurrentLinkedDeque<UpstreamConnection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private volatile boolean closed;

    public ConnectionPool(String host, int port, int maxIdle, Duration idleTimeout) {
        this(host, port, maxIdle, idleTimeout, null);
    }

    public ConnectionPool(String host, int port, int maxIdle, Duration idleTimeout, UpstreamTls tls) {
        this(host, port, maxIdle, idleTimeout, tls, UpstreamReadSweeper.shared());
    }

    /** @param sweeper enforces the read timeouts of the connections (tests give their own) */
    public ConnectionPool(String host, int port, int maxIdle, Duration idleTimeout, UpstreamTls tls,
                          UpstreamReadSweeper sweeper) {
        this.tls = tls;
        this.sweeper = sweeper;
        this.host = host;
        this.port = port;
        this.maxIdle = maxIdle;
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /** A pooled connection that passed the idle check, or null when none is available. */
    public UpstreamConnection pooled() {
        long now = System.nanoTime();
        UpstreamConnection c;
        while ((c = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            if (now - c.idleSince() < idleTimeoutNanos && c.stillUsable()) {
                return c;
            }
            c.close();
        }
        return null;
    }

    public UpstreamConnection open(Duration connectTimeout) throws IOException {
        return UpstreamConnection.open(host, port, connectTimeout, tls, sweeper);
    }

    /** Returns a connection whose exchange completed cleanly. */
    public void release(UpstreamConnection c) {
        if (closed || idleCount.get() >= maxIdle) {
            c.close();
            return;
        }
        c.markIdle(System.nanoTime());
        idleCount.incrementAndGet();
        idle.offerFirst(c);
        if (closed) {
            closeIdle();
        }
    }

    /** Whether connections to this instance use TLS. */
    public boolean tls() {
        return tls != null;
    }

    public int idleConnections() {
        return idleCount.get();
    }

    private void closeIdle() {
        UpstreamConnection c;
        while ((c = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            c.close();
        }
    }

    public void close() {
        closed = true;
        closeIdle();
    }
}
