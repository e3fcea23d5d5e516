package io.concierge.gateway.cache;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * RFC 9111's rules for a shared cache, for one route's {@link RouteCacheConfig}: whether a response
 * may be stored (section 3 and 3.5), its freshness lifetime (4.2.1, heuristic 4.2.2 only when
 * configured), whether it may be served stale (4.2.4, RFC 5861) and the Vary names (4.1). Pure:
 * no clock, no I/O; the step passes the times in.
 */
final class CachePolicy {
    static final HeaderName SURROGATE_CONTROL = HeaderNames.create("Surrogate-Control");
    private static final HeaderName VARY = HeaderNames.VARY;

    private final RouteCacheConfig config;

    CachePolicy(RouteCacheConfig config) {
        this.config = config;
    }

    RouteCacheConfig config() {
        return config;
    }

    /** Why a response is not stored; null when it may be. */
    String notStorable(int status, Headers response, CacheControl requestCc, CacheControl responseCc,
                       boolean authorization) {
        if (requestCc.noStore()) {
            return "request-no-store";
        }
        if (responseCc.noStore()) {
            return "no-store";
        }
        if (responseCc.isPrivate()) {
            return "private";
        }
        if (!config.statuses().contains(status)) {
            return "status";
        }
        if (!config.storeSetCookie() && response.contains(HeaderNames.SET_COOKIE)) {
            return "set-cookie";
        }
        if (authorization && !config.keyByIdentity() && !responseCc.isPublic() && responseCc.sMaxAge() < 0
                && !responseCc.mustRevalidate()) {
            return "authorization";
        }
        String[] vary = varyNames(response);
        if (vary == null) {
            return "vary";
        }
        return null;
    }

    /**
     * The varied request header names, lower case, sorted (so {@code Vary: A, B} and {@code B, a} key
     * alike); empty without Vary; null for {@code Vary: *} or more than {@link CacheKey#MAX_VARY_NAMES}
     * names (never stored).
     */
    static String[] varyNames(Headers response) {
        if (!response.contains(VARY)) {
            return new String[0];
        }
        List<String> names = new ArrayList<>(2);
        for (String v : response.get(VARY).allValues()) {
            int start = 0;
            for (int i = 0; i <= v.length(); i++) {
                if (i == v.length() || v.charAt(i) == ',') {
                    String name = v.substring(start, i).strip().toLowerCase(Locale.ROOT);
                    start = i + 1;
                    if (name.isEmpty()) {
                        continue;
                    }
                    if (name.equals("*") || !HeaderToken.isToken(name)) {
                        return null;
                    }
                    if (!names.contains(name)) {
                        if (names.size() == CacheKey.MAX_VARY_NAMES) {
                            return null;
                        }
                        names.add(name);
                    }
                }
            }
        }
        names.sort(null);
        return names.toArray(String[]::new);
    }

    /**
     * The freshness lifetime in ms (RFC 9111 section 4.2.1): s-maxage, else max-age, else
     * Expires minus the response time, else the configured heuristic for a heuristically cacheable
     * status, else 0. A response with {@code no-cache} is stored stale (always validated).
     */
    long lifetimeMillis(int status, Headers response, CacheControl cc, long responseTime) {
        if (cc.noCache()) {
            return 0;
        }
        if (cc.sMaxAge() >= 0) {
            return cc.sMaxAge() * 1000;
        }
        if (cc.maxAge() >= 0) {
            return cc.maxAge() * 1000;
        }
        if (response.contains(HeaderNames.EXPIRES)) {
            long expires = httpDate(response.get(HeaderNames.EXPIRES).get());
            return expires < 0 ? 0 : Math.max(0, expires - responseTime);
        }
        if (config.heuristic() != null && RouteCacheConfig.DEFAULT_STATUSES.contains(status)) {
            return config.heuristic().toMillis();
        }
        return 0;
    }

    /** Whether the response forbids serving it stale (RFC 9111 sections 5.2.2.2, 5.2.2.8, 5.2.2.10). */
    static boolean mustRevalidate(CacheControl cc) {
        return cc.mustRevalidate() || cc.proxyRevalidate() || cc.sMaxAge() >= 0 || cc.noCache();
    }

    /** stale-while-revalidate window in ms: the response's, else the route's. */
    long staleWhileRevalidateMillis(CacheControl cc) {
        return cc.staleWhileRevalidate() >= 0 ? cc.staleWhileRevalidate() * 1000
                : config.staleWhileRevalidate().toMillis();
    }

    /** stale-if-error window in ms: the response's, else the route's. */
    long staleIfErrorMillis(CacheControl cc) {
        return cc.staleIfError() >= 0 ? cc.staleIfError() * 1000 : config.staleIfError().toMillis();
    }

    /**
     * Whether a stored response satisfies the request's own freshness demands (RFC 9111 section
     * 5.2.1): max-age, min-fresh, max-stale (never past must-revalidate).
     */
    static boolean fresh(StoredResponse r, CacheControl requestCc, long now) {
        long age = r.ageMillis(now);
        long ttl = r.lifetimeMillis() - age;
        if (requestCc.maxAge() >= 0 && age > requestCc.maxAge() * 1000) {
            return false;
        }
        if (requestCc.minFresh() >= 0 && ttl < requestCc.minFresh() * 1000) {
            return false;
        }
        if (ttl > 0) {
            return true;
        }
        return requestCc.maxStale() >= 0 && !r.mustRevalidate() && -ttl <= requestCc.maxStale() * 1000;
    }

    /** An HTTP-date (RFC 9110 section 5.6.7) in epoch ms, or -1 when it is not one. */
    static long httpDate(String value) {
        if (value == null || value.length() > 64) {
            return -1;
        }
        try {
            return ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
