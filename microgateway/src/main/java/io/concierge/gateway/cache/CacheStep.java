package io.concierge.gateway.cache;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.ChainResponse;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.requestid.RequestIds;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.ServerRequestHeaders;
import io.helidon.http.Status;

/**
 * A route's shared HTTP cache (RFC 9111), between the rate limits and the backend. For GET and HEAD:
 * <ul>
 *   <li>a fresh stored response is served from the cluster ({@code Age}, {@code Cache-Status: hit}),
 *       a client's {@code If-None-Match}/{@code If-Modified-Since} answered 304 from it;</li>
 *   <li>a miss takes the key's cluster-wide lease and proxies, streaming, while a
 *       {@link StoreWhileRelaying} tees the body up to {@code max-object-size} and stores it; a
 *       concurrent miss on any instance waits (bounded) for that entry instead of going upstream
 *       (request coalescing), and fetches itself when the lease is lost or the wait times out;</li>
 *   <li>a stale entry is served at once within stale-while-revalidate while one background refresh
 *       runs; otherwise it is revalidated (a conditional request with its validators, answered into
 *       memory by the rest of the chain, {@link Revalidation}), and served stale within
 *       stale-if-error when the upstream fails, answers 5xx or its breaker is open.</li>
 * </ul>
 * Other methods are proxied; a successful unsafe request drops its URI's entry (RFC 9111 section
 * 4.4). Every answer carries {@code Cache-Status}. The cluster is asked with bounded waits; when it
 * is slow or gone the request is proxied uncached and counted ({@link SharedCache}).
 */
public final class CacheStep implements Step {
    private static final HeaderName PRAGMA = HeaderNames.create("Pragma");
    private static final long POLL_NANOS = 20_000_000L;

    final String routeId;
    final CachePolicy policy;
    final SharedCache cache;
    final CacheStats stats;
    final HeaderName tagHeader;
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

    private CacheStep(String routeId, RouteCacheConfig config, SharedCache cache, String tagHeader) {
        this.routeId = routeId;
        this.policy = new CachePolicy(config);
        this.cache = cache;
        this.stats = cache.stats(routeId);
        this.tagHeader = HeaderNames.create(tagHeader);
    }

    /** The route's cache step, or null when the route does not cache (then no step is in its chain). */
    public static Step forRoute(String routeId, RouteCacheConfig config, SharedCache cache, String tagHeader) {
        if (!config.enabled() || cache == null) {
            return null;
        }
        return new CacheStep(routeId, config, cache, tagHeader);
    }

    @Override
    public void handle(Exchange ex, Chain next) {
        Method method = ex.request().prologue().method();
        if (method != Method.GET && method != Method.HEAD) {
            unsafe(ex, next);
            return;
        }
        ServerRequestHeaders h = ex.request().headers();
        CacheControl requestCc = h.contains(HeaderNames.CACHE_CONTROL)
                ? CacheControl.parse(h.all(HeaderNames.CACHE_CONTROL, List::of)) : CacheControl.NONE;
        boolean forceForward = requestCc.noCache() || !h.contains(HeaderNames.CACHE_CONTROL) && pragmaNoCache(h);
        String authorization = h.first(HeaderNames.AUTHORIZATION).orElse(null);
        String primary = CacheKey.primary(target(ex), authorization, policy.config().keyByIdentity());
        if (primary == null) {
            forward(ex, next, CacheStatus.BYPASS_KEY);
            return;
        }
        if (requestCc.noStore()) {
            // RFC 9111 section 5.2.1.5: nothing of this exchange may be stored; the simplest honest
            // answer is to leave the cache out of it.
            forward(ex, next, CacheStatus.REQUEST_NO_STORE);
            return;
        }
        if (!cache.available()) {
            stats.bypassed.increment();
            forward(ex, next, CacheStatus.BYPASS_CLUSTER);
            return;
        }
        Lookup found;
        try {
            found = lookup(primary, h);
        } catch (CacheUnavailableException e) {
            stats.bypassed.increment();
            forward(ex, next, CacheStatus.BYPASS_CLUSTER);
            return;
        }
        long now = System.currentTimeMillis();
        StoredResponse r = found.entry();
        if (r != null && !forceForward && CachePolicy.fresh(r, requestCc, now)) {
            stats.hits.increment();
            serveStored(ex, r, now, CacheStatus.CACHE + "; hit; ttl=" + CacheStatus.seconds(r.ttlMillis(now)), true);
            return;
        }
        if (requestCc.onlyIfCached()) {
            Problem.send(ex.response(), 504, "Gateway Timeout", "only-if-cached, and no fresh stored response",
                    ex.requestId());
            return;
        }
        if (r != null) {
            new Revalidation(this, ex, next, primary, r, requestCc, authorization != null).run(forceForward, now);
            return;
        }
        miss(ex, next, primary, found.varyMiss() ? "vary-miss" : (forceForward ? "request" : "uri-miss"), requestCc,
                authorization != null, true);
    }

    /** An entry found at the primary key or, when the response varies, at this request's variant. */
    record Lookup(StoredResponse entry, boolean varyMiss) {
    }

    private Lookup lookup(String primary, ServerRequestHeaders h) throws CacheUnavailableException {
        StoredResponse r = cache.get(primary);
        if (r == null) {
            return new Lookup(null, false);
        }
        if (!r.varyMarker()) {
            return new Lookup(r, false);
        }
        String variant = CacheKey.variant(primary, r.varyNames(), h);
        if (variant == null) {
            return new Lookup(null, true);
        }
        StoredResponse v = cache.get(variant);
        return v == null ? new Lookup(null, true) : new Lookup(v, false);
    }

    /**
     * Nothing usable stored: proxy (streaming) and store on the way, once per key across the cluster.
     *
     * @param coalesce whether to take the key's lease, or wait for the holder's entry
     */
    void miss(Exchange ex, Chain next, String primary, String fwd, CacheControl requestCc, boolean authorization,
              boolean coalesce) {
        boolean head = ex.request().prologue().method() == Method.HEAD;
        boolean leased = false;
        boolean collapsed = false;
        if (coalesce && !head) {
            long lockMillis = policy.config().lockTimeout().toMillis();
            try {
                leased = cache.tryLease(primary, lockMillis);
                // Counted once the request holds the lease or waits for its holder, so a count of
                // misses also says how many requests take part in coalescing.
                stats.misses.increment();
                if (!leased) {
                    StoredResponse other = awaitOther(primary, ex.request().headers(), lockMillis);
                    long now = System.currentTimeMillis();
                    if (other != null && CachePolicy.fresh(other, requestCc, now)) {
                        stats.coalescedWaits.increment();
                        serveStored(ex, other, now, CacheStatus.CACHE + "; fwd=" + fwd + "; collapsed; ttl="
                                + CacheStatus.seconds(other.ttlMillis(now)), true);
                        return;
                    }
                    if (other != null) {
                        // Stored, but not fresh enough for this request: revalidate or serve stale as usual.
                        new Revalidation(this, ex, next, primary, other, requestCc, authorization).run(false, now);
                        return;
                    }
                    // The holder's response was not stored (or the wait ran out): fetch ourselves.
                    collapsed = true;
                }
            } catch (CacheUnavailableException e) {
                stats.bypassed.increment();
                forward(ex, next, CacheStatus.BYPASS_CLUSTER);
                return;
            }
        } else {
            stats.misses.increment();
        }
        StoreWhileRelaying store = new StoreWhileRelaying(this, primary, fwd, collapsed, requestCc, authorization,
                System.currentTimeMillis(), !head);
        ex.beforeHead(store);
        try {
            next.proceed(ex);
            store.completed(ex);
        } finally {
            if (leased) {
                cache.releaseLease(primary);
            }
        }
    }

    /**
     * Waits, polling the cluster, until the lease holder's entry appears or the lease is gone, at
     * most {@code maxMillis}. Polling keeps it simple and bounded; the holder usually answers within
     * one upstream round trip.
     */
    private StoredResponse awaitOther(String primary, ServerRequestHeaders h, long maxMillis)
            throws CacheUnavailableException {
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.currentThread().isInterrupted()) {
                return null;
            }
            boolean held = cache.leaseHeld(primary);
            StoredResponse r = lookup(primary, h).entry();
            if (r != null || !held) {
                return r;
            }
        }
        return null;
    }

    /** Proxies with a fixed Cache-Status and no caching. */
    private static void forward(Exchange ex, Chain next, CacheStatus status) {
        ex.beforeHead(status);
        next.proceed(ex);
    }

    /** POST, PUT, DELETE, ...: proxied; a success drops the target's stored response (RFC 9111 section 4.4). */
    private void unsafe(Exchange ex, Chain next) {
        ex.beforeHead((e, res) -> {
            CacheStatus.set(res, CacheStatus.CACHE + "; fwd=method");
            int code = res.status().code();
            if (code >= 200 && code < 400 && e.request().prologue().method() != Method.OPTIONS
                    && e.request().prologue().method() != Method.TRACE) {
                String key = CacheKey.primary(target(e), null, false);
                if (key != null && cache.available()) {
                    cache.invalidate(key);
                }
            }
        });
        next.proceed(ex);
    }

    /**
     * Answers from a stored response: its status, headers and body, with {@code Age}, this request's
     * id and {@code cacheStatus}; a 304 instead when {@code conditional} and the client's validators match.
     */
    void serveStored(Exchange ex, StoredResponse r, long now, String cacheStatus, boolean conditional) {
        ChainResponse res = ex.response();
        boolean head = ex.request().prologue().method() == Method.HEAD;
        if (conditional && Validators.notModified(ex.request().headers(), r)) {
            stats.conditionalHits.increment();
            res.status(Status.NOT_MODIFIED_304);
            String[] hs = r.headers();
            for (int i = 0; i < hs.length; i += 2) {
                if (Validators.keptOn304(hs[i])) {
                    res.headers().add(HeaderValues.create(hs[i], hs[i + 1]));
                }
            }
            finishHead(ex, res, r, now, cacheStatus);
            res.send();
            return;
        }
        res.status(Status.create(r.status()));
        String[] hs = r.headers();
        for (int i = 0; i < hs.length; i += 2) {
            res.headers().add(HeaderValues.create(hs[i], hs[i + 1]));
        }
        finishHead(ex, res, r, now, cacheStatus);
        if (head) {
            res.headers().set(HeaderNames.CONTENT_LENGTH, r.body().length);
            res.send();
        } else {
            res.send(r.body());
        }
    }

    private static void finishHead(Exchange ex, ChainResponse res, StoredResponse r, long now, String cacheStatus) {
        res.headers().set(HeaderNames.AGE, Long.toString(Math.max(0, r.ageMillis(now) / 1000)));
        if (ex.requestId() != null) {
            res.headers().set(RequestIds.HEADER, ex.requestId());
        }
        CacheStatus.set(res, cacheStatus);
    }

    /** Stores {@code r} (and, when it varies, the marker at the primary key); false when not done. */
    boolean store(String primary, ServerRequestHeaders requestHeaders, StoredResponse r) {
        try {
            long ttl = Storable.ttlMillis(r);
            if (r.varyNames().length > 0) {
                String variant = CacheKey.variant(primary, r.varyNames(), requestHeaders);
                if (variant == null) {
                    stats.notStored.increment();
                    return false;
                }
                cache.put(primary, StoredResponse.varyMarker(r.varyNames(), r.lifetimeMillis(), r.responseTime()), ttl,
                        r.tags());
                cache.put(variant, r, ttl, r.tags());
            } else {
                cache.put(primary, r, ttl, r.tags());
            }
            stats.stores.increment();
            stats.storedBytes.add(r.body().length);
            return true;
        } catch (CacheUnavailableException e) {
            return false;
        }
    }

    /** Runs {@code task} once per key at a time on this instance, in the background. */
    void refreshOnce(String primary, Runnable task) {
        if (!refreshing.add(primary)) {
            return;
        }
        cache.background(() -> {
            try {
                task.run();
            } finally {
                refreshing.remove(primary);
            }
        });
    }

    /** The request target as the client sent it: raw path and raw query. */
    static String target(Exchange ex) {
        String path = ex.request().prologue().uriPath().rawPath();
        String query = ex.request().prologue().query().rawValue();
        return query.isEmpty() ? path : path + "?" + query;
    }

    private static boolean pragmaNoCache(ServerRequestHeaders h) {
        if (!h.contains(PRAGMA)) {
            return false;
        }
        for (String v : h.get(PRAGMA).allValues()) {
            if (v.toLowerCase(java.util.Locale.ROOT).contains("no-cache")) {
                return true;
            }
        }
        return false;
    }

    /** For the admin view. */
    public String routeId() {
        return routeId;
    }
}
