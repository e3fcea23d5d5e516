package io.concierge.gateway.ratelimit;

import java.util.function.LongSupplier;

/**
 * What every counter of one limit is built from, fixed at startup.
 *
 * @param owner  domain or edge: shares counters with the other instances of the same owner
 * @param scope  {@code domain}, {@code route <id>} or {@code edge}
 * @param clock  epoch nanoseconds
 */
record CounterSetup(String owner, String scope, RateLimitConfig config, RateLimitStats stats, LongSupplier clock) {

    /** A key's counter in the cluster. */
    String clusterKey(Quota quota, String key) {
        return RateLimiter.clusterKey(owner, scope, config, quota, key);
    }

    /** The policy name in the headers: the limit's, with the tier for usage plans. */
    String policy(String tier) {
        return tier == null ? config.name() : config.name() + "-" + tier;
    }

    /** The key table of a counting mode, bounded by the limit's {@code max-keys}. */
    <K extends TrackedKey> KeyTable<K> keyTable(KeyTable.Keys<K> mode) {
        return new KeyTable<>(mode, config.maxKeys(), stats.keyEvictions);
    }

    /** Keys are remembered at least three sync intervals after their last request. */
    long minRetainMillis() {
        return 3 * config.syncInterval().toMillis();
    }
}
