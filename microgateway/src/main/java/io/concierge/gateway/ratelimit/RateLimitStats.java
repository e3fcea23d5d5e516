package io.concierge.gateway.ratelimit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one limit, cheap to bump on the request path (LongAdder) and read by health (and
 * later by the Prometheus exporter of the observability issue).
 */
public final class RateLimitStats {
    /** Requests this limit let through (the request passed every limit). */
    final LongAdder allowed = new LongAdder();
    /** Requests this limit answered with 429. */
    final LongAdder rejected = new LongAdder();
    /** Requests a shadow ({@code enforce: false}) limit would have rejected. */
    final LongAdder shadowRejected = new LongAdder();
    /** Decisions made on local counters because the cluster was unavailable. */
    final LongAdder fallbacks = new LongAdder();
    /** Calls to the cluster (strict decisions, fast-mode lease renewals and returns, refunds). */
    final LongAdder clusterCalls = new LongAdder();
    /** Cluster calls that failed or timed out. */
    final LongAdder clusterErrors = new LongAdder();
    /** Tracked keys forgotten (least recently used first) to make room for a new key at {@code max-keys}. */
    final LongAdder keyEvictions = new LongAdder();

    public long allowed() {
        return allowed.sum();
    }

    public long rejected() {
        return rejected.sum();
    }

    public long shadowRejected() {
        return shadowRejected.sum();
    }

    public long fallbacks() {
        return fallbacks.sum();
    }

    public long clusterCalls() {
        return clusterCalls.sum();
    }

    public long clusterErrors() {
        return clusterErrors.sum();
    }

    public long keyEvictions() {
        return keyEvictions.sum();
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allowed", allowed());
        m.put("rejected", rejected());
        m.put("shadowRejected", shadowRejected());
        m.put("fallbacks", fallbacks());
        m.put("clusterCalls", clusterCalls());
        m.put("clusterErrors", clusterErrors());
        m.put("keyEvictions", keyEvictions());
        return m;
    }
}
