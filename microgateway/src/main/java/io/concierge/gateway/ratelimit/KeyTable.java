package io.concierge.gateway.ratelimit;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The keys one limit counts on this instance, bounded by {@code max-keys}: at the bound, a new key
 * evicts the least recently used of a sample of tracked keys; idle keys expire once their counters
 * no longer matter ({@link #sweep}).
 *
 * @param <K> the counting mode's per-key state
 */
final class KeyTable<K extends TrackedKey> {
    /** Tracked keys looked at to choose one to evict (approximate LRU, as Redis samples). */
    static final int EVICTION_SAMPLE = 16;

    /** What the counting mode decides about its keys. Calls to {@code busy} and {@code holdsPermits} hold the key's monitor. */
    interface Keys<K extends TrackedKey> {
        K create(String key, Quota quota, String tier);

        /** A cluster call for the key is under way (its answer would bring permits to a forgotten key). */
        default boolean busy(K key) {
            return false;
        }

        /** The key holds permits the cluster counted as used: it must not be forgotten yet. */
        default boolean holdsPermits(K key) {
            return false;
        }

        /** The key was evicted: give back what it holds. */
        default void evicted(K key, long now) {
        }
    }

    private final ConcurrentHashMap<String, K> keys = new ConcurrentHashMap<>();
    private final Keys<K> mode;
    private final int maxKeys;
    private final LongAdder evictions;
    /** Taken only when the table is full: a flood of new keys queues here, known keys never do. */
    private final ReentrantLock evictionLock = new ReentrantLock();
    /** Where the eviction sample continues, so successive samples cover the whole table (guarded by evictionLock). */
    private Iterator<Map.Entry<String, K>> evictionHand;

    KeyTable(Keys<K> mode, int maxKeys, LongAdder evictions) {
        this.mode = mode;
        this.maxKeys = maxKeys;
        this.evictions = evictions;
    }

    /** The key's state, created (evicting another key if the table is full) on its first request. */
    K track(String key, Quota quota, String tier, long now) {
        K k = keys.get(key);
        if (k == null) {
            if (keys.size() >= maxKeys) {
                makeRoom(now);
            }
            k = keys.computeIfAbsent(key, s -> mode.create(s, quota, tier));
        }
        k.lastUsed = now;
        return k;
    }

    int size() {
        return keys.size();
    }

    Collection<K> values() {
        return keys.values();
    }

    /**
     * Bounded memory without punishing newcomers: at {@code max-keys}, the least recently used of a
     * sample of tracked keys is forgotten to make room for the new one. (Counting new keys together
     * on one shared counter, as before, let whoever owns many keys exhaust it and have every new
     * client's first request refused.) A key in use is never the oldest of its sample unless the table
     * churns through {@code max-keys} keys faster than that key comes back; a client with more keys than
     * the table holds gains nothing it did not have already, since each new key has its own full limit.
     * The cost falls only on requests that bring a new key into a full table.
     */
    private void makeRoom(long now) {
        evictionLock.lock();
        try {
            // Other threads may have made room meanwhile; a few concurrent inserts may overshoot by
            // as many keys as requests decided at once, which the next eviction takes back.
            for (int evicted = 0; evicted < 4 && keys.size() >= maxKeys; evicted++) {
                Map.Entry<String, K> oldest = sampleOldest();
                if (oldest == null) {
                    return;
                }
                if (keys.remove(oldest.getKey(), oldest.getValue())) {
                    evictions.increment();
                    mode.evicted(oldest.getValue(), now);
                }
            }
        } finally {
            evictionLock.unlock();
        }
    }

    /** The least recently used of the next {@link #EVICTION_SAMPLE} keys, preferring one that is not busy. */
    private Map.Entry<String, K> sampleOldest() {
        Map.Entry<String, K> oldest = null;
        boolean oldestBusy = true;
        for (int i = 0; i < EVICTION_SAMPLE; i++) {
            if (evictionHand == null || !evictionHand.hasNext()) {
                evictionHand = keys.entrySet().iterator();
                if (!evictionHand.hasNext()) {
                    break;
                }
            }
            Map.Entry<String, K> e = evictionHand.next();
            K k = e.getValue();
            boolean busy;
            synchronized (k) {
                busy = mode.busy(k);
            }
            if (oldest == null || (oldestBusy && !busy)
                    || (busy == oldestBusy && k.lastUsed < oldest.getValue().lastUsed)) {
                oldest = e;
                oldestBusy = busy;
            }
        }
        return oldest;
    }

    /**
     * Drops keys unused for longer than their counters matter (and that hold no permits).
     *
     * @param minRetainMillis keys are kept at least this long after their last request
     */
    void sweep(long now, long minRetainMillis) {
        Iterator<K> it = keys.values().iterator();
        while (it.hasNext()) {
            K k = it.next();
            long idleMillis = (now - k.lastUsed) / 1_000_000;
            if (idleMillis < k.retainMillis(minRetainMillis)) {
                continue;
            }
            synchronized (k) {
                if (!mode.holdsPermits(k) && !mode.busy(k)) {
                    it.remove();
                }
            }
        }
    }
}
