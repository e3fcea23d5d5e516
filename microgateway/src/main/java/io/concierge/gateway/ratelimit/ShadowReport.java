package io.concierge.gateway.ratelimit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import io.concierge.gateway.pipeline.Exchange;

/**
 * The log of a shadow limit ({@code enforce: false}): what it would have rejected, summed up at most
 * every 10 seconds, so a shadow limit that is far too tight cannot flood the log.
 */
final class ShadowReport {
    private static final Logger LOG = Logger.getLogger(RateLimiter.class.getName());
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String name;
    private final String scope;
    private final AtomicLong sinceLog = new AtomicLong();
    private final AtomicLong lastLog = new AtomicLong(Long.MIN_VALUE);

    ShadowReport(String name, String scope) {
        this.name = name;
        this.scope = scope;
    }

    void rejected(Exchange ex) {
        sinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLog.get();
        if ((last == Long.MIN_VALUE || now - last >= INTERVAL_NANOS) && lastLog.compareAndSet(last, now)) {
            long n = sinceLog.getAndSet(0);
            LOG.info(() -> "rate limit '" + name + "' (" + scope + ", shadow mode) would have rejected " + n
                    + " request(s) since its last report; latest: " + ex.request().prologue().method().text() + " "
                    + ex.path().raw() + " request " + ex.requestId());
        }
    }
}
