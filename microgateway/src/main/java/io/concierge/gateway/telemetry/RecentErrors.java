package io.concierge.gateway.telemetry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last {@value #SIZE} server errors (5xx answers, and requests that failed before an answer) of
 * one server, newest first, for the admin section {@code errors} and the edge's web console. A
 * request that succeeds costs nothing here: one entry is allocated per error only, into a fixed
 * ring (a lock-free slot claim; a reader may miss an entry being written, never sees a torn one).
 */
public final class RecentErrors {
    static final int SIZE = 20;
    /** Paths are client input: kept short so one entry stays small whatever the client sent. */
    static final int MAX_PATH = 200;

    private final AtomicReferenceArray<Entry> ring = new AtomicReferenceArray<>(SIZE);
    private final AtomicLong next = new AtomicLong();

    /** One error answer. {@code path} is the raw path without the query. */
    public record Entry(long at, int status, String method, String path, String requestId, String route) {
    }

    void record(long atMillis, int status, String method, String path, String requestId, String route) {
        String p = path == null ? "" : path.length() > MAX_PATH ? path.substring(0, MAX_PATH) + "…" : path;
        int slot = (int) (next.getAndIncrement() % SIZE);
        ring.set(slot, new Entry(atMillis, status, method, p, requestId, route));
    }

    /** Newest first, as JSON-ready maps. */
    public List<Map<String, Object>> snapshot() {
        long n = next.get();
        List<Map<String, Object>> out = new ArrayList<>();
        for (long i = n - 1; i >= Math.max(0, n - SIZE); i--) {
            Entry e = ring.get((int) (i % SIZE));
            if (e == null) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", Instant.ofEpochMilli(e.at()).toString());
            m.put("status", e.status());
            m.put("method", e.method());
            m.put("path", e.path());
            m.put("requestId", e.requestId());
            m.put("route", e.route());
            out.add(m);
        }
        return out;
    }
}
