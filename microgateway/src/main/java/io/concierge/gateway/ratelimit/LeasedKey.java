package io.concierge.gateway.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A key in fast mode: the lease of permits this instance holds from the key's cluster counter, and
 * the demand that sizes it. Every field is guarded by the key's monitor.
 */
final class LeasedKey extends ClusterFallback.Key {
    /** Permits in hand, granted by the cluster for {@link #window}. */
    long tokens;
    long window = Long.MIN_VALUE;
    /** Requests since the last reconciliation, and their smoothed rate per second. */
    long demand;
    double rate;
    int idleIntervals;
    /** Until then the cluster had nothing left: reject locally without asking. */
    long exhaustedUntil;
    /** What the cluster had left at the last grant, and when it frees its next permit. */
    long clusterRemaining;
    long nextFreeAt;
    /** Permits to give back with the next renewal, and the window they were granted in. */
    long returnTokens;
    long returnWindow;
    /** The renewal under way, if any. */
    CompletableFuture<Void> inflight;

    LeasedKey(Quota quota, String tier, String clusterKey, String policy) {
        super(quota, tier, clusterKey, policy);
    }

    /** A lease belongs to one window (sliding window): permits of a past window go back. */
    void roll(long newWindow) {
        if (window == newWindow) {
            return;
        }
        if (tokens > 0) {
            returnTokens = tokens;
            returnWindow = window;
        }
        tokens = 0;
        window = newWindow;
        exhaustedUntil = 0;
    }

    /** Moves every permit in hand to the ones to give back. */
    void releaseAll() {
        if (tokens > 0) {
            returnTokens += tokens;
            returnWindow = window;
            tokens = 0;
        }
    }

    /**
     * Takes a renewal's answer into the lease.
     *
     * @param want     how many permits the renewal asked for
     * @param at       clock time the answer arrived
     * @param maxWait  the longest this key rejects locally after the cluster had nothing left
     */
    void apply(long want, Quota.Grant g, long at, long maxWait) {
        if (g.granted() > 0) {
            if (g.window() == window || !(quota instanceof SlidingWindowQuota)) {
                tokens += g.granted();
            } else {
                // The window moved while the call was out: these permits are stale.
                returnTokens += g.granted();
                returnWindow = g.window();
            }
            exhaustedUntil = 0;
        } else if (want > 0) {
            // Nothing left: reject locally until a permit frees, but ask again within one sync
            // interval, since other instances give permits back.
            exhaustedUntil = at + Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(g.waitNanos(), maxWait));
        }
        clusterRemaining = g.remaining();
        nextFreeAt = at + g.waitNanos();
    }
}
