package io.concierge.gateway.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether an upstream instance accepts TCP connections, cached for a second so that a flood of
 * health requests cannot turn into a flood of connections to the upstreams.
 */
public final class InstanceProbe {
    private static final long CACHE_NANOS = 1_000_000_000L;
    private static final int TIMEOUT_MS = 500;
    private final Map<String, long[]> cache = new ConcurrentHashMap<>();

    public boolean reachable(String host, int port) {
        String key = host + ":" + port;
        long now = System.nanoTime();
        long[] hit = cache.get(key);
        if (hit != null && now - hit[0] < CACHE_NANOS) {
            return hit[1] == 1;
        }
        boolean ok;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            ok = true;
        } catch (IOException e) {
            ok = false;
        }
        cache.put(key, new long[] {now, ok ? 1 : 0});
        return ok;
    }
}
