package io.concierge.gateway.ratelimit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.ratelimit.RateLimitConfig.Mode;

/**
 * The rate-limiting state of one gateway or edge process: its limiters, the cluster handle and one
 * background thread for lease reconciliation, key expiry, peer counting and cluster probes. Built
 * once per server that has limits, owned and closed by the server's runtime.
 */
public final class RateLimiting implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RateLimiting.class.getName());
    static final LongSupplier SYSTEM_CLOCK = () -> System.currentTimeMillis() * 1_000_000L;

    private final String owner;
    private final HazelcastInstance hz;
    private final LongSupplier clock;
    private final List<RateLimiter> limiters = new CopyOnWriteArrayList<>();
    private final Map<List<RateLimitConfig>, List<RateLimiter>> shared = new HashMap<>();
    /** Every limiter by (scope, config): a reloaded configuration gets the same limiter, counters and all. */
    private final Map<List<Object>, RateLimiter> byKey = new HashMap<>();
    private final Map<RateLimiter, ScheduledFuture<?>> reconcilers = new IdentityHashMap<>();
    /** The limiters asked for since the last {@link #beginReload}. */
    private final Set<RateLimiter> touched = Collections.newSetFromMap(new IdentityHashMap<>());
    private volatile ClusterCounters cluster;
    private volatile ScheduledExecutorService scheduler;
    private volatile boolean closed;

    /**
     * @param owner   {@code edge} or the gateway's domain, for metric and log names
     * @param cluster the mesh's Hazelcast member, or null when the process runs without one
     */
    public static RateLimiting create(String owner, HazelcastInstance cluster) {
        return new RateLimiting(owner, cluster, SYSTEM_CLOCK);
    }

    RateLimiting(String owner, HazelcastInstance hz, LongSupplier clock) {
        this.owner = owner;
        this.hz = hz;
        this.clock = clock;
    }

    /**
     * The limiters of a list of limits that several routes share (the domain's limits), built once
     * so every route counts on the same state.
     */
    synchronized List<RateLimiter> sharedLimiters(List<RateLimitConfig> configs, String scope) {
        List<RateLimitConfig> key = configs.stream().map(RateLimitConfig::withoutSource).toList();
        List<RateLimiter> ls = shared.get(key);
        if (ls == null) {
            ls = new ArrayList<>();
            for (RateLimitConfig c : configs) {
                ls.add(limiter(c, scope));
            }
            ls = List.copyOf(ls);
            shared.put(key, ls);
        } else {
            touched.addAll(ls);
        }
        return ls;
    }

    /**
     * The limiter of {@code config} in {@code scope}. A reloaded configuration whose limit is equal
     * gets the limiter it had, so its counters (local ones included) continue; a changed limit gets
     * a new limiter, whose cluster counters, keyed by the limit's name, still continue.
     */
    synchronized RateLimiter limiter(RateLimitConfig config, String scope) {
        List<Object> key = List.of(scope, config.withoutSource());
        RateLimiter existing = byKey.get(key);
        if (existing != null) {
            touched.add(existing);
            return existing;
        }
        ClusterCounters c = null;
        if (config.mode() != Mode.LOCAL && hz != null) {
            c = cluster();
        }
        RateLimiter l = new RateLimiter(owner, scope, config, c, clock);
        limiters.add(l);
        byKey.put(key, l);
        touched.add(l);
        ScheduledExecutorService s = scheduler();
        if (l.clustered() && config.mode() == Mode.FAST) {
            long interval = config.syncInterval().toMillis();
            reconcilers.put(l, s.scheduleWithFixedDelay(guard(l::reconcile), interval, interval,
                    TimeUnit.MILLISECONDS));
        }
        return l;
    }

    /** A configuration reload starts building its chains: from now on, note which limiters it uses. */
    public synchronized void beginReload() {
        touched.clear();
    }

    /**
     * The reloaded configuration is serving: drop the limiters it no longer uses from health,
     * metrics and the background sweeps (requests still running on the old chain keep their objects).
     */
    public synchronized void endReload() {
        limiters.removeIf(l -> !touched.contains(l));
        byKey.values().removeIf(l -> !touched.contains(l));
        shared.values().removeIf(ls -> !touched.containsAll(ls));
        reconcilers.entrySet().removeIf(e -> {
            if (touched.contains(e.getKey())) {
                return false;
            }
            e.getValue().cancel(false);
            return true;
        });
    }

    private ClusterCounters cluster() {
        if (cluster == null) {
            cluster = new ClusterCounters(hz, owner);
            ScheduledExecutorService s = scheduler();
            ClusterCounters c = cluster;
            s.execute(guard(c::refreshPeers));
            s.scheduleWithFixedDelay(guard(c::refreshPeers), 2, 2, TimeUnit.SECONDS);
            s.scheduleWithFixedDelay(guard(c::probe), 500, 500, TimeUnit.MILLISECONDS);
        }
        return cluster;
    }

    private ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ratelimit-" + owner);
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleWithFixedDelay(guard(() -> limiters.forEach(RateLimiter::sweep)), 1, 1, TimeUnit.SECONDS);
        }
        return scheduler;
    }

    private Runnable guard(Runnable task) {
        return () -> {
            if (closed) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "rate limiting background task failed", e);
            }
        };
    }

    /** The {@code rateLimiting} section of {@code /health}. */
    /** The {@code rateLimiting} section of the server's {@code /health} (and its metrics). */
    public Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        ClusterCounters c = cluster;
        if (c == null) {
            m.put("cluster", hz == null ? "none" : "unused");
        } else {
            m.put("cluster", c.status());
            if (c.degradedSince() != null) {
                m.put("degradedSince", c.degradedSince());
                m.put("lastError", c.lastError());
            }
            m.put("instances", c.peers());
            m.put("ownedPartitions", c.ownedPartitions());
            m.put("clusterErrors", c.errors());
        }
        long allowed = 0;
        long rejected = 0;
        long shadow = 0;
        long fallbacks = 0;
        List<Map<String, Object>> ls = new ArrayList<>();
        for (RateLimiter l : limiters) {
            ls.add(l.health());
            allowed += l.stats().allowed();
            rejected += l.stats().rejected();
            shadow += l.stats().shadowRejected();
            fallbacks += l.stats().fallbacks();
        }
        m.put("allowed", allowed);
        m.put("rejected", rejected);
        m.put("shadowRejected", shadow);
        m.put("fallbacks", fallbacks);
        m.put("limits", ls);
        return m;
    }

    @Override
    public void close() {
        closed = true;
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            s.shutdownNow();
        }
        ClusterCounters c = cluster;
        if (c != null) {
            c.close();
        }
    }
}
