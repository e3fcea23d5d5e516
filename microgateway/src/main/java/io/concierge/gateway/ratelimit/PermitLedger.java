package io.concierge.gateway.ratelimit;

/**
 * Where a granted permit was counted (a local counter, the fallback share, the cluster, a lease),
 * so that {@link RateLimiter.Decision#refund} gives it back to the same place.
 */
interface PermitLedger {
    /** Gives back one permit granted to {@code key} in {@code window} that was not used. */
    void giveBack(TrackedKey key, long window);
}
