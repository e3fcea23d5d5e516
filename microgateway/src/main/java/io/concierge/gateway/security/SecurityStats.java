package io.concierge.gateway.security;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one gateway's (or the edge's) security: refusals by reason and the JWKS caches'
 * fetches, failures and fallbacks. Shown in {@code /health}; the observability issue exports them
 * to Prometheus.
 */
public final class SecurityStats {
    private final Map<Rejection, LongAdder> rejections = new EnumMap<>(Rejection.class);
    private final LongAdder jwksFetches = new LongAdder();
    private final LongAdder jwksFetchFailures = new LongAdder();
    private final LongAdder jwksRefetchesSuppressed = new LongAdder();
    private final LongAdder jwksStaleKeyUses = new LongAdder();
    private final LongAdder bodyTooLarge = new LongAdder();
    private final LongAdder corsRefused = new LongAdder();
    private final LongAdder preflights = new LongAdder();

    public SecurityStats() {
        for (Rejection r : Rejection.values()) {
            rejections.put(r, new LongAdder());
        }
    }

    void rejected(Rejection r) {
        rejections.get(r).increment();
    }

    public long rejections(Rejection r) {
        return rejections.get(r).sum();
    }

    void jwksFetched() {
        jwksFetches.increment();
    }

    void jwksFetchFailed() {
        jwksFetchFailures.increment();
    }

    void jwksRefetchSuppressed() {
        jwksRefetchesSuppressed.increment();
    }

    void jwksStaleKeyUsed() {
        jwksStaleKeyUses.increment();
    }

    void countBodyTooLarge() {
        bodyTooLarge.increment();
    }

    /** A CORS request or preflight from an origin the edge does not allow. */
    public void corsRefused() {
        corsRefused.increment();
    }

    /** A CORS preflight, answered at the edge. */
    public void preflight() {
        preflights.increment();
    }

    public long jwksFetches() {
        return jwksFetches.sum();
    }

    public long jwksFetchFailures() {
        return jwksFetchFailures.sum();
    }

    public long jwksStaleKeyUses() {
        return jwksStaleKeyUses.sum();
    }

    public long jwksRefetchesSuppressed() {
        return jwksRefetchesSuppressed.sum();
    }

    public long bodyTooLarge() {
        return bodyTooLarge.sum();
    }

    /** For {@code /health}: every non-zero counter. */
    public Map<String, Object> snapshot() {
        Map<String, Object> r = new LinkedHashMap<>();
        Map<String, Long> refused = new LinkedHashMap<>();
        rejections.forEach((k, v) -> {
            long n = v.sum();
            if (n > 0) {
                refused.put(k.status() + "." + k.metricName(), n);
            }
        });
        r.put("refused", refused);
        r.put("jwksFetches", jwksFetches.sum());
        r.put("jwksFetchFailures", jwksFetchFailures.sum());
        r.put("jwksRefetchesSuppressed", jwksRefetchesSuppressed.sum());
        r.put("jwksStaleKeyUses", jwksStaleKeyUses.sum());
        r.put("bodyTooLarge", bodyTooLarge.sum());
        r.put("corsRefused", corsRefused.sum());
        r.put("preflights", preflights.sum());
        return r;
    }
}
