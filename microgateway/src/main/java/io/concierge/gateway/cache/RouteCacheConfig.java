package io.concierge.gateway.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.concierge.gateway.config.ByteSizes;
import io.concierge.gateway.config.ConfigNode;

/**
 * How one route caches: the domain's {@code cache.defaults} with the route's own {@code cache}
 * mapping over them (docs/caching.md lists every key with its default).
 *
 * @param enabled              whether the route caches at all (default false: caching is opt-in)
 * @param statuses             status codes stored (default 200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501:
 *                             RFC 9110's heuristically cacheable codes)
 * @param maxObjectSize        a larger body streams through uncached, never buffered past this (default 1MB)
 * @param heuristic            freshness for a response without explicit freshness; null (default) = none,
 *                             RFC 9111 section 4.2.2 heuristic freshness only when configured
 * @param staleWhileRevalidate serve stale this long past freshness while one background refresh runs, when
 *                             the response does not say (default 0s: only the response's own directive)
 * @param staleIfError         serve stale this long past freshness when the upstream fails, when the response
 *                             does not say (default 0s: only the response's own directive)
 * @param keyByIdentity        requests with {@code Authorization} are stored per credential (the key includes a
 *                             SHA-256 of it) even when the response does not mark itself shareable (default false)
 * @param storeSetCookie       store responses with {@code Set-Cookie} (default false: a cookie is somebody's)
 * @param lockTimeout          how long a request waits for another instance's fetch of the same key
 *                             (request coalescing) before it fetches itself (default 5s)
 */
public record RouteCacheConfig(boolean enabled, Set<Integer> statuses, long maxObjectSize, Duration heuristic,
                               Duration staleWhileRevalidate, Duration staleIfError, boolean keyByIdentity,
                               boolean storeSetCookie, Duration lockTimeout) {

    public static final Set<Integer> DEFAULT_STATUSES = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);
    public static final long DEFAULT_MAX_OBJECT_SIZE = 1024 * 1024;
    static final long MAX_OBJECT_SIZE_LIMIT = 64L * 1024 * 1024;

    /** Off, with the documented defaults for every other key. */
    public static final RouteCacheConfig OFF = new RouteCacheConfig(false, DEFAULT_STATUSES, DEFAULT_MAX_OBJECT_SIZE,
            null, Duration.ZERO, Duration.ZERO, false, false, Duration.ofSeconds(5));

    /**
     * Reads {@code node}'s {@code cache} value over {@code base}: absent keeps {@code base}, {@code true}
     * or {@code false} switches it on or off with {@code base}'s settings, a mapping sets keys.
     */
    public static RouteCacheConfig read(ConfigNode node, String key, RouteCacheConfig base) {
        JsonNode raw = node.value(key);
        if (raw == null || raw.isNull()) {
            return base;
        }
        if (raw.isBoolean()) {
            return base.withEnabled(raw.asBoolean());
        }
        if (!raw.isObject()) {
            throw node.error(key, "expected true, false or a mapping");
        }
        RouteCacheConfig c = readMapping(node.object(key), base, true);
        return c;
    }

    /** The keys of a cache mapping over {@code base}; {@code enabled} defaults to true in a route's mapping. */
    static RouteCacheConfig readMapping(ConfigNode n, RouteCacheConfig base, boolean enabledByDefault) {
        boolean enabled = n.bool("enabled", enabledByDefault || base.enabled());
        Set<Integer> statuses = base.statuses();
        if (n.has("statuses")) {
            JsonNode list = n.value("statuses");
            if (list == null || !list.isArray() || list.isEmpty()) {
                throw n.error("statuses", "expected a non-empty list of status codes");
            }
            Set<Integer> s = new LinkedHashSet<>();
            for (int i = 0; i < list.size(); i++) {
                JsonNode v = list.get(i);
                if (!v.isIntegralNumber() || v.asInt() < 200 || v.asInt() > 599 || v.asInt() == 206 || v.asInt() == 304) {
                    throw n.error("statuses[" + i + "]", "must be a final status code 200-599 other than 206 and 304"
                            + " (was " + v + ")");
                }
                s.add(v.asInt());
            }
            statuses = Set.copyOf(s);
        }
        long maxObject = ByteSizes.read(n, "max-object-size", 1, MAX_OBJECT_SIZE_LIMIT);
        Duration heuristic = base.heuristic();
        if (n.has("heuristic")) {
            String h = n.string("heuristic", null);
            heuristic = "none".equals(h) ? null : positive(n, "heuristic", n.duration("heuristic", null));
        }
        Duration swr = nonNegative(n, "stale-while-revalidate", n.duration("stale-while-revalidate",
                base.staleWhileRevalidate()));
        Duration sie = nonNegative(n, "stale-if-error", n.duration("stale-if-error", base.staleIfError()));
        boolean byIdentity = n.bool("key-by-identity", base.keyByIdentity());
        boolean setCookie = n.bool("store-set-cookie", base.storeSetCookie());
        Duration lock = positive(n, "lock-timeout", n.duration("lock-timeout", base.lockTimeout()));
        n.rejectUnknownKeys();
        return new RouteCacheConfig(enabled, statuses, maxObject < 0 ? base.maxObjectSize() : maxObject, heuristic,
                swr, sie, byIdentity, setCookie, lock);
    }

    private static Duration positive(ConfigNode n, String key, Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw n.error(key, "must be > 0 (was " + d + ")");
        }
        return d;
    }

    private static Duration nonNegative(ConfigNode n, String key, Duration d) {
        if (d.isNegative()) {
            throw n.error(key, "must be >= 0 (was " + d + ")");
        }
        return d;
    }

    public RouteCacheConfig withEnabled(boolean on) {
        return new RouteCacheConfig(on, statuses, maxObjectSize, heuristic, staleWhileRevalidate, staleIfError,
                keyByIdentity, storeSetCookie, lockTimeout);
    }

    /** For the admin view. */
    public List<String> describe() {
        List<String> d = new ArrayList<>();
        d.add("max-object-size=" + maxObjectSize);
        if (heuristic != null) {
            d.add("heuristic=" + heuristic.toSeconds() + "s");
        }
        if (!staleWhileRevalidate.isZero()) {
            d.add("stale-while-revalidate=" + staleWhileRevalidate.toSeconds() + "s");
        }
        if (!staleIfError.isZero()) {
            d.add("stale-if-error=" + staleIfError.toSeconds() + "s");
        }
        return d;
    }
}
