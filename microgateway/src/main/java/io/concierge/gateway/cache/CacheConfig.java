package io.concierge.gateway.cache;

import java.time.Duration;

import io.concierge.gateway.config.ByteSizes;
import io.concierge.gateway.config.ConfigNode;

/**
 * A domain's {@code cache} section: where its shared cache lives and how big it may grow (one
 * Hazelcast map per domain, shared by all its gateway instances), and {@code defaults}, the
 * {@link RouteCacheConfig} every route starts from. docs/caching.md documents every key.
 *
 * @param maxEntries     entries per cluster member (Hazelcast {@code PER_NODE} eviction, LRU); default 10000;
 *                       exclusive with {@code maxSizeMb}
 * @param maxSizeMb      or: heap used by the map per member, in MB (Hazelcast {@code USED_HEAP_SIZE}); 0 = unset
 * @param clusterTimeout bound on every cluster call on the request path; past it the request is proxied
 *                       uncached (default 250ms)
 * @param tagHeader      the response header listing an entry's purge tags, space or comma separated
 *                       (default {@code Surrogate-Key})
 * @param defaults       what routes start from (default: off)
 */
public record CacheConfig(int maxEntries, int maxSizeMb, Duration clusterTimeout, String tagHeader,
                          RouteCacheConfig defaults) {

    public static final int DEFAULT_MAX_ENTRIES = 10_000;
    public static final CacheConfig NONE = new CacheConfig(DEFAULT_MAX_ENTRIES, 0, Duration.ofMillis(250),
            "Surrogate-Key", RouteCacheConfig.OFF);

    public static CacheConfig read(ConfigNode n) {
        if (n.has("max-entries") && n.has("max-size")) {
            throw n.error("max-size", "set max-entries or max-size, not both (the shared map evicts by one"
                    + " Hazelcast policy)");
        }
        int maxEntries = n.integer("max-entries", DEFAULT_MAX_ENTRIES, 1, 10_000_000);
        long maxSize = ByteSizes.read(n, "max-size", 1024L * 1024, 1024L * 1024 * 1024 * 1024);
        Duration clusterTimeout = n.duration("cluster-timeout", NONE.clusterTimeout());
        if (clusterTimeout.isZero() || clusterTimeout.isNegative() || clusterTimeout.toSeconds() > 10) {
            throw n.error("cluster-timeout", "must be > 0 and at most 10s (was " + clusterTimeout + ")");
        }
        String tagHeader = n.string("tag-header", NONE.tagHeader());
        if (!HeaderToken.isToken(tagHeader)) {
            throw n.error("tag-header", "must be a header name (was '" + tagHeader + "')");
        }
        RouteCacheConfig defaults = n.has("defaults")
                ? RouteCacheConfig.readMapping(n.object("defaults"), RouteCacheConfig.OFF, false)
                : RouteCacheConfig.OFF;
        n.rejectUnknownKeys();
        return new CacheConfig(maxEntries, maxSize < 0 ? 0 : (int) (maxSize / (1024 * 1024)), clusterTimeout,
                tagHeader, defaults);
    }
}
