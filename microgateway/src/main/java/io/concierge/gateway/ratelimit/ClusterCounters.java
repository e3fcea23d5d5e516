package io.concierge.gateway.ratelimit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.Partition;

import io.concierge.gateway.cluster.PayloadFormats;

/**
 * This process's handle on the shared counters in the Hazelcast cluster, with the rule for when
 * the cluster cannot be used.
 *
 * <p>Fail open to local limits, never to unlimited: a rate limiter that stalls requests when the
 * cluster is slow turns a cluster problem into an outage, and one that stops limiting invites the
 * flood it exists for. So every call is bounded by the limit's {@code cluster-timeout}, and a
 * request whose call fails or times out is decided locally; once this member is gone, or after
 * three failures in a row, the cluster counts as degraded, and while it is degraded no request waits for it:
 * every decision is made on this instance's local counters with its share of the limit
 * ({@code limit / instances}), and counted as a fallback. A probe every 500 ms brings the cluster
 * back as soon as it answers again.
 *
 * <p>The counter map keeps one synchronous backup (a lost member loses no counter), expires idle
 * counters by their own time-to-live (set by {@link ClusterTake}) and is capped per member as a
 * last defence against a flood of distinct keys (each instance already caps its keys).
 */
final class ClusterCounters {
    static final String COUNTERS = "concierge.ratelimit.counters";
    static final String PEERS = "concierge.ratelimit.peers";
    static final int MAX_ENTRIES_PER_MEMBER = 250_000;
    private static final Logger LOG = Logger.getLogger(ClusterCounters.class.getName());
    private static final long PROBE_TIMEOUT_MILLIS = 500;
    private static final long PEER_TTL_SECONDS = 60;
    static final int FAILURES_TO_DEGRADE = 3;
    /**
     * Runs a callback on the thread that completed the future (Hazelcast's response thread; our
     * callbacks are a few field updates). Without it, a callback on a Hazelcast future runs on
     * Hazelcast's default async executor, which on a machine with fewer than three cores (common
     * pool parallelism 1) starts a new platform thread per callback: measured here as a third of
     * the gateway's throughput.
     */
    static final Executor DIRECT = Runnable::run;
    private static final long WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final HazelcastInstance hz;
    private final String owner;
    private final LongAdder errors = new LongAdder();
    private volatile IMap<String, long[]> counters;
    private volatile IMap<String, Long> peers;
    private volatile boolean degraded;
    private volatile int consecutiveFailures;
    private final LongAdder degradations = new LongAdder();
    private volatile long lastWarning;
    private volatile boolean warnedThisTime;
    private volatile long degradedSince;
    private volatile String lastError;
    private volatile int peerCount = 1;
    private volatile String peerKey;

    ClusterCounters(HazelcastInstance hz, String owner) {
        this.hz = hz;
        this.owner = owner;
        try {
            configure(hz);
            counters = hz.getMap(COUNTERS);
            peers = hz.getMap(PEERS);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** Configures the counter map before anything uses it (the same settings on every member). */
    static void configure(HazelcastInstance hz) {
        MapConfig mc = new MapConfig(COUNTERS)
                .setBackupCount(1)
                .setAsyncBackupCount(0)
                .setReadBackupData(false)
                .setStatisticsEnabled(false)
                .setPerEntryStatsEnabled(false)
                .setEvictionConfig(new EvictionConfig()
                        .setEvictionPolicy(EvictionPolicy.LRU)
                        .setMaxSizePolicy(MaxSizePolicy.PER_NODE)
                        .setSize(MAX_ENTRIES_PER_MEMBER));
        hz.getConfig().addMapConfig(mc);
        hz.getConfig().addMapConfig(new MapConfig(PEERS).setBackupCount(1).setStatisticsEnabled(false));
    }

    boolean available() {
        return !degraded;
    }

    /** One atomic decision on the partition owner, waiting at most {@code timeoutNanos}. */
    Quota.Grant take(String key, ClusterTake op, long timeoutNanos) throws Exception {
        IMap<String, long[]> map = counters;
        if (map == null) {
            throw new IllegalStateException("counter map not available");
        }
        long[] r = map.submitToKey(key, op.format(PayloadFormats.agreed(hz))).toCompletableFuture()
                .get(timeoutNanos, TimeUnit.NANOSECONDS);
        return grant(r);
    }

    /** A null answer: the key's owner could not read the operation's format (mixed versions, see ClusterTake). */
    private static Quota.Grant grant(long[] r) {
        if (r == null) {
            throw unreadable();
        }
        return Quota.Grant.of(r);
    }

    private static IllegalStateException unreadable() {
        return new IllegalStateException("the counter's owner could not read this operation's format (mixed versions)");
    }

    /** The same, without waiting: for lease renewals and refunds off the request path. */
    CompletableFuture<Quota.Grant> takeAsync(String key, ClusterTake op) {
        IMap<String, long[]> map = counters;
        if (map == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("counter map not available"));
        }
        try {
            // Exactly one callback on Hazelcast's future, run directly; everything else chains on a
            // plain JDK future (Hazelcast's futures run even non-async stages on their executor).
            CompletableFuture<Quota.Grant> result = new CompletableFuture<>();
            map.submitToKey(key, op.format(PayloadFormats.agreed(hz))).whenCompleteAsync((r, t) -> {
                if (t != null) {
                    result.completeExceptionally(t);
                } else if (r == null) {
                    result.completeExceptionally(unreadable());
                } else {
                    result.complete(Quota.Grant.of(r));
                }
            }, DIRECT);
            return result;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A call failed or timed out. That decision is made locally by the caller, and its key backs
     * off for a second; the cluster is declared degraded (every decision local, nobody waits) at
     * once when this member is gone, and otherwise after {@link #FAILURES_TO_DEGRADE} failures in a
     * row with no success in between: one slow call on a busy machine, or a few partitions that are
     * stuck while the rest answer, do not switch every key to local counting.
     */
    void failed(Throwable t) {
        errors.increment();
        lastError = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        int n = ++consecutiveFailures;
        if (!degraded && (n >= FAILURES_TO_DEGRADE || t instanceof HazelcastInstanceNotActiveException)) {
            degradedSince = System.currentTimeMillis();
            degraded = true;
            degradations.increment();
            long now = System.nanoTime();
            if (now - lastWarning > WARNING_INTERVAL_NANOS || lastWarning == 0) {
                lastWarning = now;
                warnedThisTime = true;
                long times = degradations.sumThenReset();
                LOG.warning(() -> "rate limiting (" + owner + "): cluster unavailable (" + lastError
                        + "); deciding on local counters with this instance's share until it answers again"
                        + (times > 1 ? " (" + times + " times since the last report)" : ""));
            }
        }
    }

    /** A call succeeded: failures are no longer consecutive. */
    void succeeded() {
        if (consecutiveFailures != 0) {
            consecutiveFailures = 0;
        }
    }

    /** While degraded: one bounded call; success ends the degraded state. */
    void probe() {
        if (!degraded) {
            return;
        }
        try {
            if (!hz.getLifecycleService().isRunning()) {
                return;
            }
            if (counters == null) {
                configure(hz);
                counters = hz.getMap(COUNTERS);
                peers = hz.getMap(PEERS);
            }
            counters.getAsync("probe/" + owner).toCompletableFuture().get(PROBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            long since = degradedSince;
            consecutiveFailures = 0;
            degraded = false;
            boolean warned = warnedThisTime;
            warnedThisTime = false;
            LOG.log(warned ? Level.INFO : Level.FINE, () -> "rate limiting (" + owner
                    + "): cluster reachable again after " + (System.currentTimeMillis() - since) + " ms");
        } catch (Exception e) {
            lastError = e.getClass().getSimpleName();
        }
    }

    /**
     * Announces this instance and counts the live instances of the same owner (the gateways of one
     * domain, or the edges): the local share of a limit while the cluster is degraded, and the size
     * of fast-mode leases, depend on it.
     */
    void refreshPeers() {
        IMap<String, Long> p = peers;
        if (p == null || degraded) {
            return;
        }
        try {
            if (!hz.getLifecycleService().isRunning()) {
                return;
            }
            String self = owner + "/" + hz.getCluster().getLocalMember().getUuid();
            peerKey = self;
            p.setAsync(self, System.currentTimeMillis(), PEER_TTL_SECONDS, TimeUnit.SECONDS).toCompletableFuture()
                    .get(PROBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            List<CompletableFuture<Long>> lookups = new ArrayList<>();
            for (Member m : hz.getCluster().getMembers()) {
                lookups.add(p.getAsync(owner + "/" + m.getUuid()).toCompletableFuture());
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_TIMEOUT_MILLIS);
            int n = 0;
            for (CompletableFuture<Long> f : lookups) {
                n += f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) != null ? 1 : 0;
            }
            peerCount = Math.max(1, n);
        } catch (Exception e) {
            LOG.log(Level.FINE, "rate limiting: peer refresh failed", e);
        }
    }

    /** Live instances sharing this owner's limits, as last seen (at least 1). */
    int peers() {
        return peerCount;
    }

    long errors() {
        return errors.sum();
    }

    /**
     * Partitions this member owns (the counters' among them): the member whose loss sends most
     * keys through a failover, which is what a fault-injection run wants to kill (bench/chaos.sh).
     * A walk over the partition table (271 by default), on a /health request only; -1 when the
     * member is gone.
     */
    int ownedPartitions() {
        try {
            Member self = hz.getCluster().getLocalMember();
            int n = 0;
            for (Partition p : hz.getPartitionService().getPartitions()) {
                if (self.equals(p.getOwner())) {
                    n++;
                }
            }
            return n;
        } catch (HazelcastInstanceNotActiveException e) {
            return -1;
        }
    }

    String status() {
        return degraded ? "degraded-to-local" : "reachable";
    }

    String degradedSince() {
        return degraded ? Instant.ofEpochMilli(degradedSince).toString() : null;
    }

    String lastError() {
        return lastError;
    }

    void close() {
        String k = peerKey;
        IMap<String, Long> p = peers;
        if (k != null && p != null && !degraded) {
            try {
                if (hz.getLifecycleService().isRunning()) {
                    p.removeAsync(k).toCompletableFuture().get(PROBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                }
            } catch (Exception ignored) {
                // The entry expires by itself.
            }
        }
    }
}
