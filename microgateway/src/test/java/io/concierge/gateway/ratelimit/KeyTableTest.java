package io.concierge.gateway.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;

/**
 * The bounded key table on its own, with a stand-in counting mode that marks keys busy or holding
 * permits: least-recently-used eviction at max-keys that prefers keys without a call under way and
 * tells the mode what it evicted; expiry that keeps keys whose counters still matter.
 */
class KeyTableTest {
    private static final long MS = 1_000_000L;
    private static final Quota QUOTA = new SlidingWindowQuota(10, 60_000);

    private static final class Key extends TrackedKey {
        Key(Quota quota, String tier, String name) {
            super(quota, tier, name, "p");
        }
    }

    /** A counting mode whose keys are busy or hold permits as the test says. */
    private static final class Mode implements KeyTable.Keys<Key> {
        final Set<String> busy = new HashSet<>();
        final Set<String> holding = new HashSet<>();
        final List<String> evicted = new ArrayList<>();

        @Override
        public Key create(String key, Quota quota, String tier) {
            return new Key(quota, tier, key);
        }

        @Override
        public boolean busy(Key key) {
            return busy.contains(key.clusterKey);
        }

        @Override
        public boolean holdsPermits(Key key) {
            return holding.contains(key.clusterKey);
        }

        @Override
        public void evicted(Key key, long now) {
            evicted.add(key.clusterKey);
        }
    }

    private final Mode mode = new Mode();
    private final LongAdder evictions = new LongAdder();
    /** Smaller than the eviction sample, so every sample sees the whole table and the choice is exact. */
    private final KeyTable<Key> table = new KeyTable<>(mode, 10, evictions);

    @Test
    void aKnownKeyKeepsItsStateAndItsLastUse() {
        Key first = table.track("a", QUOTA, null, 1 * MS);
        Key again = table.track("a", QUOTA, null, 5 * MS);
        assertSame(first, again);
        assertEquals(5 * MS, again.lastUsed);
        assertEquals(1, table.size());
    }

    @Test
    void atMaxKeysANewKeyEvictsTheLeastRecentlyUsedAndTheModeIsTold() {
        for (int i = 0; i < 10; i++) {
            table.track("k" + i, QUOTA, null, (i + 10) * MS);
        }
        table.track("k0", QUOTA, null, 500 * MS); // k0 is in use again: k1 is now the oldest
        table.track("new", QUOTA, null, 600 * MS);
        assertEquals(10, table.size());
        assertEquals(List.of("k1"), mode.evicted);
        assertEquals(1, evictions.sum());
    }

    @Test
    void aKeyWithACallUnderWayIsEvictedOnlyIfTheWholeSampleIsBusy() {
        for (int i = 0; i < 10; i++) {
            table.track("k" + i, QUOTA, null, (i + 10) * MS);
            mode.busy.add("k" + i);
        }
        mode.busy.remove("k5");
        table.track("new", QUOTA, null, 600 * MS);
        assertEquals(List.of("k5"), mode.evicted, "the oldest idle key goes, not the older busy ones");
        mode.busy.remove("k5");
        mode.busy.add("new");
        table.track("newer", QUOTA, null, 700 * MS);
        assertEquals(List.of("k5", "k0"), mode.evicted, "all busy: the least recently used goes");
    }

    @Test
    void sweepForgetsIdleKeysOnlyAfterTwoWindowsAndNeverOneHoldingPermits() {
        long t0 = 1_000 * MS;
        table.track("idle", QUOTA, null, t0);
        table.track("holding", QUOTA, null, t0);
        table.track("recent", QUOTA, null, t0 + 100_000 * MS);
        mode.holding.add("holding");
        table.sweep(t0 + 119_000 * MS, 300);
        assertEquals(3, table.size(), "a sliding-window counter matters for two windows");
        table.sweep(t0 + 121_000 * MS, 300);
        Set<String> left = new HashSet<>();
        table.values().forEach(k -> left.add(k.clusterKey));
        assertEquals(Set.of("holding", "recent"), left);
        assertTrue(mode.evicted.isEmpty(), "expiry is not eviction");
    }
}
