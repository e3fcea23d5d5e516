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
sealed interface Counter extends PermitLedger permits LocalCounter, StrictClusterCounter, FastLeaseCounter {

    /** Counts one request of {@code key} ({@code tier} null unless the limit has plans). */
    RateLimiter.Decision decide(RateLimiter limiter, Quota quota, String tier, String key, long now);

    /** The periodic reconciliation with the cluster (fast mode); nothing for the others. */
    default void reconcile() {
    }

    /** Drops keys whose counters no longer matter. */
    void sweep();

    int trackedKeys();

    /** {@code local}, {@code cluster} or {@code degraded-to-local}, for health. */
    String status();
}
