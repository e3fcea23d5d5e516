package io.concierge.gateway.cache;

import io.concierge.gateway.pipeline.ChainResponse;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.ResponseInterceptor;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/**
 * The {@code Cache-Status} field (RFC 9211): this gateway's member is appended after any the upstream
 * sent (the list runs from the origin towards the client). Also the interceptor that sets a fixed
 * value on whatever answer comes back, for requests the cache does not handle (bypass, method).
 */
final class CacheStatus implements ResponseInterceptor {
    static final HeaderName HEADER = HeaderNames.create("Cache-Status");
    static final String CACHE = "Concierge";

    static final CacheStatus BYPASS_CLUSTER = new CacheStatus(CACHE + "; fwd=bypass; detail=cluster-unavailable");
    static final CacheStatus BYPASS_KEY = new CacheStatus(CACHE + "; fwd=bypass; detail=key-too-long");
    static final CacheStatus METHOD = new CacheStatus(CACHE + "; fwd=method");
    static final CacheStatus REQUEST_NO_STORE = new CacheStatus(CACHE + "; fwd=request; detail=no-store");

    private final String value;

    private CacheStatus(String value) {
        this.value = value;
    }

    @Override
    public void beforeHead(Exchange exchange, ChainResponse response) {
        set(response, value);
    }

    /** Appends {@code member} to the response's Cache-Status (after the upstream's, if any). */
    static void set(ChainResponse response, String member) {
        if (response.headers().contains(HEADER)) {
            String upstream = response.headers().get(HEADER).values();
            response.headers().set(HEADER, upstream + ", " + member);
        } else {
            response.headers().set(HEADER, member);
        }
    }

    /**
     * {@code ttl} in whole seconds: freshness left rounded to the nearest second (a response just
     * stored with max-age=60 shows 60, not 59 for the milliseconds it took), staleness rounded away
     * from zero so a stale entry never shows 0.
     */
    static long seconds(long millis) {
        return millis > 0 ? (millis + 500) / 1000 : Math.floorDiv(millis, 1000);
    }
}
