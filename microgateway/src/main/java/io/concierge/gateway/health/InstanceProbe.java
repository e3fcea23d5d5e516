package io.concierge.gateway.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.concierge.gateway.pool.ConnectionPool;
import io.concierge.gateway.pool.UpstreamConnection;

/**
 * Whether an upstream instance accepts connections, cached for a second so that a flood of
 * health requests cannot turn into a flood of connections to the upstreams. A TLS instance must
 * also complete the handshake (certificate, name, client certificate): one that accepts TCP but
 * whose certificate the gateway refuses cannot serve a request and is not reported UP.
 */
public final class InstanceProbe {
    private static final long CACHE_NANOS = 1_000_000_000L;
    private static final int TIMEOUT_MS = 500;
    private final Map<String, long[]> cache = new ConcurrentHashMap<>();

    public boolean reachable(String host, int port) {
        return reachable(host, port, null);
    }

    /** Probes through {@code pool}'s TLS when it has one (null: TCP only). */
    public boolean reachable(String host, int port, ConnectionPool pool) {
        String key = host + ":" + port;
        long now = System.nanoTime();
        long[] hit = cache.get(key);
        if (hit != null && now - hit[0] < CACHE_NANOS) {
            return hit[1] == 1;
        }
        boolean ok = pool != null && pool.tls() ? handshakes(pool) : connects(host, port);
        cache.put(key, new long[] {now, ok ? 1 : 0});
        return ok;
    }

    private static boolean connects(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean handshakes(ConnectionPool pool) {
        try (UpstreamConnection c = pool.open(Duration.ofMillis(TIMEOUT_MS))) {
            return c != null;
        } catch (IOException e) {
            return false;
        }
    }
}
