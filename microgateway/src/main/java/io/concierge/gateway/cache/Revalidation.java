package io.concierge.gateway.cache;

import io.concierge.gateway.pipeline.CapturedResponse;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.ChainResponse;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.InMemoryRequest;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.Method;
import io.helidon.http.ServerRequestHeaders;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;

/**
 * A request that found a stored response it cannot serve as fresh (stale, or the client asked for
 * {@code no-cache}). Within stale-while-revalidate it serves the entry and starts one background
 * refresh; otherwise it asks the rest of the chain in memory ({@link CapturedResponse}, bounded by
 * {@code max-object-size}) with the entry's validators, and then: a 304 refreshes and serves the
 * entry (RFC 9111 section 4.3.4); a failure or 5xx (the breaker's 503 included) serves the entry
 * within stale-if-error (RFC 5861); anything else is served and stored as a new response; a body
 * past the limit is fetched again, streaming, uncached.
 *
 * <p>Why in memory and not through the relay like a miss: a 304 or a failure must be replaced by the
 * stored body, and the relayed answer's head would already be on its way. The entry was within the
 * limit, so its replacement usually is too.
 */
final class Revalidation {
    private final CacheStep step;
    private final Exchange ex;
    private final Chain next;
    private final String primary;
    private final StoredResponse stale;
    private final CacheControl requestCc;
    private final boolean authorization;

    Revalidation(CacheStep step, Exchange ex, Chain next, String primary, StoredResponse stale, CacheControl requestCc,
                 boolean authorization) {
        this.step = step;
        this.ex = ex;
        this.next = next;
        this.primary = primary;
        this.stale = stale;
        this.requestCc = requestCc;
        this.authorization = authorization;
    }

    /** What the rest of the chain answered into memory. */
    private record Fetched(int status, Headers headers, byte[] body, boolean tooLarge, RuntimeException failure,
                           long requestTime, long responseTime) {
    }

    void run(boolean forced, long now) {
        long staleFor = -stale.ttlMillis(now);
        if (!forced && !stale.mustRevalidate() && staleFor >= 0 && staleFor <= stale.staleWhileRevalidateMillis()) {
            step.stats.staleWhileRevalidate.increment();
            Exchange refresh = conditionalFork();
            step.serveStored(ex, stale, now, CacheStatus.CACHE + "; hit; ttl=" + CacheStatus.seconds(stale.ttlMillis(now))
                    + "; detail=stale-while-revalidate", true);
            step.refreshOnce(primary, () -> refreshInBackground(refresh));
            return;
        }
        String fwd = forced ? "request" : "stale";
        if (stale.hasValidators()) {
            step.stats.revalidations.increment();
        }
        Fetched f = fetch(conditionalFork());
        long after = System.currentTimeMillis();
        if (f.status() == 304 && f.failure() == null && stale.hasValidators()) {
            step.stats.notModified.increment();
            StoredResponse refreshed = refreshed(f);
            boolean stored = refreshed != null && step.store(primary, ex.request().headers(), refreshed);
            StoredResponse serve = refreshed != null ? refreshed : stale;
            step.serveStored(ex, serve, after, CacheStatus.CACHE + "; fwd=" + fwd + "; fwd-status=304"
                    + (stored ? "; stored" : "") + "; ttl=" + CacheStatus.seconds(serve.ttlMillis(after)), true);
            return;
        }
        boolean failed = f.failure() != null && !f.tooLarge() || f.status() >= 500;
        long staleNow = -stale.ttlMillis(after);
        if (failed && !stale.mustRevalidate() && staleNow <= stale.staleIfErrorMillis()) {
            step.stats.staleIfError.increment();
            step.serveStored(ex, stale, after, CacheStatus.CACHE + "; fwd=" + fwd
                    + (f.failure() == null ? "; fwd-status=" + f.status() : "") + "; ttl="
                    + CacheStatus.seconds(stale.ttlMillis(after)) + "; detail=stale-if-error", true);
            return;
        }
        if (f.tooLarge()) {
            step.miss(ex, next, primary, fwd, requestCc, authorization, false);
            return;
        }
        if (f.failure() != null) {
            throw f.failure();
        }
        answer(f, fwd);
    }

    /** A new response: served as fetched and stored when the policy allows. */
    private void answer(Fetched f, String fwd) {
        StringBuilder cs = new StringBuilder(64).append(CacheStatus.CACHE).append("; fwd=").append(fwd)
                .append("; fwd-status=").append(f.status());
        Storable.Decision d = Storable.decide(step.policy, f.status(), f.headers(), requestCc, authorization,
                f.requestTime(), f.responseTime(), step.tagHeader);
        if (d.storable() != null) {
            if (step.store(primary, ex.request().headers(), d.storable().withBody(f.body()))) {
                cs.append("; stored");
            }
            cs.append("; ttl=").append(CacheStatus.seconds(d.storable().lifetime - d.storable().initialAge));
        } else {
            step.stats.notStored.increment();
            cs.append("; detail=").append(d.reason());
        }
        ChainResponse res = ex.response();
        res.status(Status.create(f.status()));
        for (Header h : f.headers()) {
            if (!h.headerName().equals(HeaderNames.CONTENT_LENGTH)) {
                res.headers().add(h);
            }
        }
        CacheStatus.set(res, cs.toString());
        if (ex.request().prologue().method() == Method.HEAD) {
            res.headers().set(HeaderNames.CONTENT_LENGTH, f.body().length);
            res.send();
        } else {
            res.send(f.body());
        }
    }

    /** The stored response updated by a 304's fields (RFC 9111 section 3.2), or null when no longer storable. */
    private StoredResponse refreshed(Fetched f) {
        WritableHeaders<?> merged = WritableHeaders.create();
        String[] hs = stale.headers();
        for (int i = 0; i < hs.length; i += 2) {
            merged.add(HeaderNames.create(hs[i]), hs[i + 1]);
        }
        for (Header h : f.headers()) {
            String lower = h.headerName().lowerCase();
            if (lower.equals("content-length") || lower.equals("content-type") || lower.equals("content-encoding")) {
                continue;
            }
            merged.set(h);
        }
        Storable.Decision d = Storable.decide(step.policy, stale.status(), merged, requestCc, authorization,
                f.requestTime(), f.responseTime(), step.tagHeader);
        return d.storable() == null ? null : d.storable().withBody(stale.body());
    }

    /** stale-while-revalidate's one refresh: under the key's lease, so one instance of the domain does it. */
    private void refreshInBackground(Exchange refresh) {
        long lockMillis = step.policy.config().lockTimeout().toMillis();
        try {
            if (!step.cache.tryLease(primary, lockMillis)) {
                return;
            }
        } catch (CacheUnavailableException e) {
            return;
        }
        try {
            step.stats.revalidations.increment();
            Fetched f = fetch(refresh);
            if (f.failure() != null || f.tooLarge()) {
                return;
            }
            if (f.status() == 304 && stale.hasValidators()) {
                step.stats.notModified.increment();
                StoredResponse r = refreshed(f);
                if (r != null) {
                    step.store(primary, refresh.request().headers(), r);
                }
                return;
            }
            Storable.Decision d = Storable.decide(step.policy, f.status(), f.headers(), requestCc, authorization,
                    f.requestTime(), f.responseTime(), step.tagHeader);
            if (d.storable() != null) {
                step.store(primary, refresh.request().headers(), d.storable().withBody(f.body()));
            }
        } finally {
            step.cache.releaseLease(primary);
        }
    }

    /**
     * A GET for the same target with the client's headers, its own conditionals replaced by the
     * entry's validators; built on the request's thread (a background refresh runs after it ended).
     */
    private Exchange conditionalFork() {
        WritableHeaders<?> h = WritableHeaders.create();
        ServerRequestHeaders client = ex.request().headers();
        for (Header header : client) {
            String lower = header.headerName().lowerCase();
            if (lower.startsWith("if-")) {
                continue;
            }
            h.add(header);
        }
        if (stale.etag() != null) {
            h.set(HeaderNames.IF_NONE_MATCH, stale.etag());
        }
        if (stale.lastModified() != null) {
            h.set(HeaderNames.IF_MODIFIED_SINCE, stale.lastModified());
        }
        InMemoryRequest request = new InMemoryRequest(ex.request(), Method.GET, CacheStep.target(ex), h);
        return ex.fork(request, new CapturedResponse(step.policy.config().maxObjectSize()));
    }

    private Fetched fetch(Exchange fork) {
        CapturedResponse captured = (CapturedResponse) fork.response().unwrap();
        long t0 = System.currentTimeMillis();
        RuntimeException failure = null;
        try {
            next.proceed(fork);
        } catch (RuntimeException e) {
            failure = e;
        }
        long t1 = System.currentTimeMillis();
        return new Fetched(captured.status().code(), captured.headers(), captured.body(), captured.tooLarge(), failure,
                t0, t1);
    }
}
