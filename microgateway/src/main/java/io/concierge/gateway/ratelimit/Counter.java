package io.concierge.gateway.ratelimit;

/**
 * One counting mode of a limit, with the table of keys it counts:
 *
 * <ul>
 *   <li>{@link LocalCounter}: the key's counter lives on this instance (mode {@code local}, or no
 *       cluster in this process).
 *   <li>{@link StrictClusterCounter}: one cluster call per request on the key's partition owner; exact.
 *   <li>{@link FastLeaseCounter}: permits leased from the cluster counter, decided locally.
 * </ul>
 *
 * The cluster modes fail open to this instance's share of the limit ({@link ClusterFallback}).
 */
abstract sealed class Counter<K extends TrackedKey> implements PermitLedger, KeyTable.Keys<K>
        permits LocalCounter, StrictClusterCounter, FastLeaseCounter {
    protected final CounterSetup setup;
    /** The keys this mode counts, bounded by {@code max-keys}; the mode creates and judges them. */
    protected final KeyTable<K> keys;

    Counter(CounterSetup setup) {
        this.setup = setup;
        this.keys = setup.keyTable(this);
    }

    /** Counts one request of {@code key} ({@code tier} null unless the limit has plans). */
    abstract RateLimiter.Decision decide(RateLimiter limiter, Quota quota, String tier, String key, long now);

    /** The periodic reconciliation with the cluster (fast mode); nothing for the others. */
    void reconcile() {
    }

    /** Drops keys whose counters no longer matter. */
    final void sweep() {
        keys.sweep(setup.clock().getAsLong(), setup.minRetainMillis());
    }

    final int trackedKeys() {
        return keys.size();
    }

    /** {@code local}, {@code cluster} or {@code degraded-to-local}, for health. */
    abstract String status();
}
