package io.concierge.gateway.ratelimit;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cluster modes' answer when the cluster cannot be asked: fail open to this instance's share of
 * the limit ({@code limit / instances}) on a local counter, never to unlimited
 * ({@link ClusterCounters} explains why). Also the bookkeeping of failed cluster calls: the key
 * backs off for {@link #KEY_BACKOFF_NANOS}, the cluster counts the failure. Every fallback decision
 * is counted in {@code fallbacks}.
 */
final class ClusterFallback implements PermitLedger {
    /** After a failed cluster call for a key, the key is decided locally this long. */
    static final long KEY_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final CounterSetup setup;
    private final ClusterCounters cluster;

    ClusterFallback(CounterSetup setup, ClusterCounters cluster) {
        this.setup = setup;
        this.cluster = cluster;
    }

    /** A key counted in the cluster, with its local share counter for when the cluster cannot be asked. */
    static class Key extends TrackedKey {
        /** Until then (after a failed call for this key) the key is decided locally. */
        volatile long backoffUntil;
        Quota share;
        int sharePeers;
        long[] shareCounts;

        Key(Quota quota, String tier, String clusterKey, String policy) {
            super(quota, tier, clusterKey, policy);
        }
    }

    /** Whether the key must be decided locally now: the cluster is degraded or the key backs off. */
    boolean needed(Key k, long now) {
        return !cluster.available() || now < k.backoffUntil;
    }

    /** The decision on this instance's share of the limit. */
    RateLimiter.Decision decide(RateLimiter limiter, Key k, long now) {
        setup.stats().fallbacks.increment();
        int peers = cluster.peers();
        Quota.Grant g;
        synchronized (k) {
            if (k.share == null || k.sharePeers != peers) {
                k.share = k.quota.share(peers);
                k.sharePeers = peers;
            }
            if (k.shareCounts == null) {
                k.shareCounts = k.share.newState();
            }
            g = k.share.take(k.shareCounts, now, 1, 1);
        }
        return RateLimiter.Decision.of(limiter, k, g, this, true);
    }

    @Override
    public void giveBack(TrackedKey key, long window) {
        Key k = (Key) key;
        long now = setup.clock().getAsLong();
        synchronized (k) {
            k.share.giveBack(k.shareCounts, now, 1, window);
        }
    }

    /**
     * A call for this key failed: the key is decided locally for {@link #KEY_BACKOFF_NANOS} without
     * trying the cluster (a partition that is stuck, e.g. migrating, must not make every request
     * for its keys wait), and the cluster counts the failure (all calls failing: degraded).
     */
    void failed(Key k, Throwable e) {
        synchronized (k) {
            k.backoffUntil = setup.clock().getAsLong() + KEY_BACKOFF_NANOS;
        }
        setup.stats().clusterErrors.increment();
        Throwable cause = e;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        cluster.failed(cause instanceof TimeoutException ? new TimeoutException("no answer within "
                + setup.config().clusterTimeout().toMillis() + "ms") : cause);
    }

    /** {@code cluster} while the cluster answers, else {@code degraded-to-local}, for health. */
    String status() {
        return cluster.available() ? "cluster" : "degraded-to-local";
    }
}
