package io.concierge.gateway.cache;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;

import io.concierge.gateway.cluster.PayloadFormats;

/**
 * One domain's shared cache: three Hazelcast maps that every gateway instance of the domain uses.
 * <ul>
 *   <li>{@code concierge.cache.<domain>.entries}: key → {@link StoredResponse#encode encoded} response.
 *       Partitioned, so each body is stored once in the cluster (on its partition owner, plus one
 *       backup so a lost member loses no entry), not once per instance. Evicted LRU by Hazelcast,
 *       either {@code PER_NODE} (max entries on each member) or {@code USED_HEAP_SIZE} (MB on each
 *       member), and expired by the per-entry time-to-live the step sets.</li>
 *   <li>{@code ...meta}: key → path and tags, small, for purges by prefix and tag without reading bodies.</li>
 *   <li>{@code ...leases}: key → owner, with a short time-to-live: who fetches a missing key (request
 *       coalescing); a holder that dies loses its lease when it expires.</li>
 * </ul>
 *
 * <p>Fail open to the upstream: a cache that makes requests wait for a slow cluster turns a cluster
 * problem into an outage, while an uncached request only costs the upstream one more call. So every
 * call on the request path is bounded by {@code cluster-timeout}; a failed or late call, or a
 * member that is no longer running, sends the request upstream uncached, and for the next
 * {@link #BACKOFF_MILLIS} ms no request asks the cluster at all. Each such request is counted
 * ({@code bypassed}) and every failed call ({@code clusterErrors}).
 */
public final class SharedCache implements AutoCloseable {
    static final long BACKOFF_MILLIS = 1000;
    private static final Logger LOG = Logger.getLogger(SharedCache.class.getName());

    private final String domain;
    private final HazelcastInstance hz;
    private final CacheConfig config;
    private final long timeoutNanos;
    private final String owner;
    private final Map<String, CacheStats> routes = new LinkedHashMap<>();
    private final LongAdder clusterErrors = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder expirations = new LongAdder();
    private final LongAdder purges = new LongAdder();
    private final LongAdder purgedEntries = new LongAdder();
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private volatile IMap<String, byte[]> entries;
    private volatile IMap<String, String> meta;
    private volatile IMap<String, String> leases;
    private volatile long unavailableUntil;
    private volatile String lastError;

    /** @param hz the gateway's cluster member, or null (no cluster: every request goes uncached) */
    public SharedCache(String domain, HazelcastInstance hz, CacheConfig config) {
        this.domain = domain;
        this.hz = hz;
        this.config = config;
        this.timeoutNanos = config.clusterTimeout().toNanos();
        this.owner = hz == null ? "none" : hz.getName();
        if (hz == null) {
            lastError = "no cluster";
            unavailableUntil = Long.MAX_VALUE;
            return;
        }
        try {
            configure();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void configure() {
        String base = "concierge.cache." + domain;
        EvictionConfig eviction = new EvictionConfig().setEvictionPolicy(EvictionPolicy.LRU);
        if (config.maxSizeMb() > 0) {
            eviction.setMaxSizePolicy(MaxSizePolicy.USED_HEAP_SIZE).setSize(config.maxSizeMb());
        } else {
            eviction.setMaxSizePolicy(MaxSizePolicy.PER_NODE).setSize(config.maxEntries());
        }
        hz.getConfig().addMapConfig(new MapConfig(base + ".entries").setBackupCount(1).setAsyncBackupCount(0)
                .setReadBackupData(false).setStatisticsEnabled(true).setEvictionConfig(eviction));
        hz.getConfig().addMapConfig(new MapConfig(base + ".meta").setBackupCount(1).setStatisticsEnabled(false)
                .setEvictionConfig(new EvictionConfig().setEvictionPolicy(EvictionPolicy.LRU)
                        .setMaxSizePolicy(MaxSizePolicy.PER_NODE).setSize(Math.max(config.maxEntries(), 10_000) * 2)));
        hz.getConfig().addMapConfig(new MapConfig(base + ".leases").setBackupCount(1).setStatisticsEnabled(false));
        IMap<String, byte[]> e = hz.getMap(base + ".entries");
        e.addLocalEntryListener((EntryEvictedListener<String, byte[]>) ev -> evictions.increment());
        e.addLocalEntryListener((EntryExpiredListener<String, byte[]>) ev -> expirations.increment());
        meta = hz.getMap(base + ".meta");
        leases = hz.getMap(base + ".leases");
        entries = e;
    }

    /** The counters of one route (created at load, one per cached route). */
    synchronized CacheStats stats(String routeId) {
        return routes.computeIfAbsent(routeId, r -> new CacheStats());
    }

    /** Whether requests may ask the cluster now (not backing off after a failure). */
    boolean available() {
        long until = unavailableUntil;
        if (until == 0) {
            return true;
        }
        if (System.currentTimeMillis() < until || entries == null && !reconfigure()) {
            return false;
        }
        unavailableUntil = 0;
        return true;
    }

    private synchronized boolean reconfigure() {
        if (entries != null) {
            return true;
        }
        try {
            if (hz == null || !hz.getLifecycleService().isRunning()) {
                return false;
            }
            configure();
            return true;
        } catch (RuntimeException e) {
            failed(e);
            return false;
        }
    }

    /** The entry at {@code key}, or null; bounded by cluster-timeout. */
    StoredResponse get(String key) throws CacheUnavailableException {
        try {
            byte[] data = entries.getAsync(key).toCompletableFuture().get(timeoutNanos, TimeUnit.NANOSECONDS);
            return data == null ? null : StoredResponse.decode(data);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (Exception e) {
            throw unavailable(e);
        }
    }

    /** Stores {@code r} at {@code key} for {@code ttlMillis}, with its purge metadata; bounded. */
    void put(String key, StoredResponse r, long ttlMillis, String[] tags) throws CacheUnavailableException {
        byte[] data = r.encode();
        long ttl = Math.max(1, ttlMillis);
        try {
            var a = entries.setAsync(key, data, ttl, TimeUnit.MILLISECONDS).toCompletableFuture();
            var b = meta.setAsync(key, CacheKey.path(key) + "\n" + String.join(" ", tags), ttl, TimeUnit.MILLISECONDS)
                    .toCompletableFuture();
            long deadline = System.nanoTime() + timeoutNanos;
            a.get(timeoutNanos, TimeUnit.NANOSECONDS);
            b.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (Exception e) {
            throw unavailable(e);
        }
    }

    /** Takes the cluster-wide lease to fetch {@code key}; false when another request holds it. */
    boolean tryLease(String key, long ttlMillis) throws CacheUnavailableException {
        Boolean taken;
        try {
            taken = leases.submitToKey(key, new TakeLease(owner, ttlMillis).format(PayloadFormats.agreed(hz)))
                    .toCompletableFuture().get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (Exception e) {
            throw unavailable(e);
        }
        if (taken == null) {
            // The key's owner could not read the operation's format (mixed versions, see TakeLease).
            throw unavailable(new IllegalStateException("lease operation in a format the key's owner does not read"));
        }
        return taken;
    }

    boolean leaseHeld(String key) throws CacheUnavailableException {
        try {
            return leases.getAsync(key).toCompletableFuture().get(timeoutNanos, TimeUnit.NANOSECONDS) != null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (Exception e) {
            throw unavailable(e);
        }
    }

    /** Gives the lease back without waiting (it expires by itself if this never arrives). */
    void releaseLease(String key) {
        try {
            leases.deleteAsync(key);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "cache: releasing a lease failed", e);
        }
    }

    /** Drops {@code key} without waiting (an unsafe method succeeded on its URI, RFC 9111 section 4.4). */
    void invalidate(String primary) {
        try {
            entries.deleteAsync(primary);
            meta.deleteAsync(primary);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "cache: invalidation failed", e);
        }
    }

    /** Runs a background refresh (stale-while-revalidate); stopped with this cache. */
    void background(Runnable task) {
        try {
            background.execute(task);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "cache: background refresh not started", e);
        }
    }

    private CacheUnavailableException unavailable(Exception e) {
        failed(e);
        return new CacheUnavailableException("cache cluster call failed: " + e, e);
    }

    private void failed(Throwable e) {
        clusterErrors.increment();
        lastError = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        unavailableUntil = System.currentTimeMillis() + BACKOFF_MILLIS;
        if (e instanceof HazelcastInstanceNotActiveException) {
            entries = null;
        }
        LOG.log(Level.FINE, () -> "cache (" + domain + "): cluster call failed: " + lastError);
    }

    /** What a purge selects. */
    enum PurgeBy { KEY, PREFIX, TAG }

    /**
     * Removes every entry the purge selects, cluster-wide (the maps are the cluster's); reads only
     * the small meta map. Not bounded by cluster-timeout: it runs on the admin port, not on a
     * request's path, and must not report a partial purge as done.
     */
    int purge(PurgeBy by, String value) {
        IMap<String, byte[]> e = entries;
        IMap<String, String> m = meta;
        if (e == null || m == null) {
            throw new IllegalStateException("the cache cluster is not available" + (lastError == null ? ""
                    : " (" + lastError + ")"));
        }
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, String> en : m.entrySet()) {
            String key = en.getKey();
            boolean match = switch (by) {
                case KEY -> CacheKey.belongsTo(key, value);
                case PREFIX -> CacheKey.path(key).startsWith(value);
                case TAG -> hasTag(en.getValue(), value);
            };
            if (match) {
                keys.add(key);
            }
        }
        if (by == PurgeBy.KEY && !keys.contains(value)) {
            keys.add(value);
        }
        int removed = 0;
        for (String k : keys) {
            if (e.remove(k) != null) {
                removed++;
            }
            m.delete(k);
        }
        purges.increment();
        purgedEntries.add(removed);
        return removed;
    }

    private static boolean hasTag(String metaValue, String tag) {
        int nl = metaValue.indexOf('\n');
        if (nl < 0) {
            return false;
        }
        for (String t : metaValue.substring(nl + 1).split(" ")) {
            if (t.equals(tag)) {
                return true;
            }
        }
        return false;
    }

    /** For /admin and /metrics: per-route counters and the shared map's state on this member. */
    public synchronized Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster", available() ? "reachable" : "unavailable");
        if (lastError != null) {
            m.put("lastError", lastError);
        }
        m.put("clusterErrors", clusterErrors.sum());
        m.put("evictions", evictions.sum());
        m.put("expirations", expirations.sum());
        m.put("purges", purges.sum());
        m.put("purgedEntries", purgedEntries.sum());
        IMap<String, byte[]> e = entries;
        if (e != null) {
            try {
                var stats = e.getLocalMapStats();
                m.put("ownedEntries", stats.getOwnedEntryCount());
                m.put("ownedBytes", stats.getOwnedEntryMemoryCost());
            } catch (RuntimeException ex) {
                m.put("ownedEntries", -1);
            }
        }
        m.put("eviction", config.maxSizeMb() > 0 ? "LRU, USED_HEAP_SIZE " + config.maxSizeMb() + " MB per member"
                : "LRU, PER_NODE " + config.maxEntries() + " entries per member");
        Map<String, Object> r = new LinkedHashMap<>();
        routes.forEach((id, s) -> r.put(id, s.describe()));
        m.put("routes", r);
        return m;
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}
