package io.concierge.gateway.cache;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** One cached route's counters on this instance; read at scrape time for /metrics and /admin. */
final class CacheStats {
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder staleWhileRevalidate = new LongAdder();
    final LongAdder staleIfError = new LongAdder();
    final LongAdder revalidations = new LongAdder();
    final LongAdder notModified = new LongAdder();
    final LongAdder coalescedWaits = new LongAdder();
    final LongAdder stores = new LongAdder();
    final LongAdder storedBytes = new LongAdder();
    final LongAdder tooLarge = new LongAdder();
    final LongAdder notStored = new LongAdder();
    final LongAdder bypassed = new LongAdder();
    final LongAdder conditionalHits = new LongAdder();

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hits", hits.sum());
        m.put("misses", misses.sum());
        m.put("staleServedWhileRevalidating", staleWhileRevalidate.sum());
        m.put("staleServedOnError", staleIfError.sum());
        m.put("revalidations", revalidations.sum());
        m.put("notModified", notModified.sum());
        m.put("coalescedWaits", coalescedWaits.sum());
        m.put("stores", stores.sum());
        m.put("storedBytes", storedBytes.sum());
        m.put("tooLargeToStore", tooLarge.sum());
        m.put("notStorable", notStored.sum());
        m.put("bypassedClusterUnavailable", bypassed.sum());
        m.put("conditionalHits", conditionalHits.sum());
        return m;
    }
}
