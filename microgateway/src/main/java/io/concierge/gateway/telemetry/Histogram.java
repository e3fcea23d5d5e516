package io.concierge.gateway.telemetry;

import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram with fixed bucket bounds, lock-free on the request path: one LongAdder per
 * bucket (not cumulative; summed at scrape time), a count and a sum in nanoseconds.
 */
public final class Histogram {
    /** Upper bounds in seconds: sub-millisecond gateway hops up to slow upstreams. */
    static final double[] BOUNDS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];

    static {
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
        }
    }

    private final LongAdder[] buckets = new LongAdder[BOUNDS_SECONDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    Histogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    public void observeNanos(long nanos) {
        long n = Math.max(0, nanos);
        int i = 0;
        while (i < BOUNDS_NANOS.length && n > BOUNDS_NANOS[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(n);
    }

    /** Cumulative counts per bound, the last being +Inf (= the count). */
    long[] cumulative() {
        long[] c = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            c[i] = running;
        }
        return c;
    }

    double sumSeconds() {
        return sumNanos.sum() / 1e9;
    }
}
