package io.concierge.gateway.cache;

import java.util.ArrayList;
import java.util.List;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * A response the policy allows to store, decided from its status and headers (the body may still be
 * on its way): the header snapshot to store and every time and window of the future entry.
 * {@link #withBody} completes it. Built by {@link #decide}, which says why not when it may not be stored.
 */
final class Storable {
    /** Entries with validators stay this long past their stale windows, so they can be revalidated. */
    static final long KEEP_FOR_VALIDATION_MILLIS = 10 * 60 * 1000L;
    static final long MAX_TTL_MILLIS = 30L * 24 * 3600 * 1000;
    private static final int MAX_TAGS = 32;
    private static final int MAX_TAG_LENGTH = 128;

    final int status;
    final String[] headers;
    final long requestTime;
    final long responseTime;
    final long initialAge;
    final long lifetime;
    final long swr;
    final long sie;
    final boolean mustRevalidate;
    final String etag;
    final String lastModified;
    final String[] varyNames;
    final String[] tags;

    private Storable(int status, String[] headers, long requestTime, long responseTime, long initialAge, long lifetime,
                     long swr, long sie, boolean mustRevalidate, String etag, String lastModified, String[] varyNames,
                     String[] tags) {
        this.status = status;
        this.headers = headers;
        this.requestTime = requestTime;
        this.responseTime = responseTime;
        this.initialAge = initialAge;
        this.lifetime = lifetime;
        this.swr = swr;
        this.sie = sie;
        this.mustRevalidate = mustRevalidate;
        this.etag = etag;
        this.lastModified = lastModified;
        this.varyNames = varyNames;
        this.tags = tags;
    }

    /** The outcome of {@link #decide}: a storable response, or the reason it is not. */
    record Decision(Storable storable, String reason) {
    }

    static Decision decide(CachePolicy policy, int status, Headers response, CacheControl requestCc,
                           boolean authorization, long requestTime, long responseTime, HeaderName tagHeader) {
        CacheControl cc = CacheControl.parse(response.all(HeaderNames.CACHE_CONTROL, List::of));
        String reason = policy.notStorable(status, response, requestCc, cc, authorization);
        if (reason != null) {
            return new Decision(null, reason);
        }
        long lifetime = policy.lifetimeMillis(status, response, cc, responseTime);
        String etag = response.first(HeaderNames.ETAG).orElse(null);
        String lastModified = response.first(HeaderNames.LAST_MODIFIED).orElse(null);
        boolean mustRevalidate = CachePolicy.mustRevalidate(cc);
        long swr = mustRevalidate ? 0 : policy.staleWhileRevalidateMillis(cc);
        long sie = mustRevalidate ? 0 : policy.staleIfErrorMillis(cc);
        if (lifetime <= 0 && etag == null && lastModified == null && swr == 0 && sie == 0) {
            // Stale at once and nothing to revalidate it with or serve it stale for: useless to keep.
            return new Decision(null, "no-freshness");
        }
        long ageHeader = 0;
        String age = response.first(HeaderNames.AGE).orElse(null);
        if (age != null) {
            ageHeader = parseSeconds(age) * 1000;
        }
        // RFC 9111 section 4.2.3: corrected_age_value = age_value + response_delay (no upstream Date: see StoredResponse)
        long initialAge = ageHeader + Math.max(0, responseTime - requestTime);
        return new Decision(new Storable(status, snapshot(response), requestTime, responseTime, initialAge, lifetime,
                swr, sie, mustRevalidate, etag, lastModified,
                CachePolicy.varyNames(response), tags(response, tagHeader)), null);
    }

    StoredResponse withBody(byte[] body) {
        return new StoredResponse(false, status, headers, body, requestTime, responseTime, initialAge, lifetime, swr,
                sie, mustRevalidate, etag, lastModified, varyNames, tags);
    }

    /** How long the cluster keeps the entry: freshness, the stale windows, and time to revalidate. */
    static long ttlMillis(StoredResponse r) {
        long keep = r.lifetimeMillis() - r.initialAgeMillis()
                + Math.max(r.staleWhileRevalidateMillis(), r.staleIfErrorMillis())
                + (r.hasValidators() ? KEEP_FOR_VALIDATION_MILLIS : 0);
        return Math.min(MAX_TTL_MILLIS, Math.max(1000, keep));
    }

    /** The headers to store: as relayed, minus framing, per-request and per-hop ones the gateway sets itself. */
    static String[] snapshot(Headers response) {
        List<String> out = new ArrayList<>(response.size() * 2);
        for (Header h : response) {
            String lower = h.headerName().lowerCase();
            if (lower.equals("content-length") || lower.equals("transfer-encoding") || lower.equals("x-request-id")
                    || lower.equals("age") || lower.equals("date") || lower.equals("connection")
                    || lower.equals("keep-alive")) {
                continue;
            }
            for (String v : h.allValues()) {
                out.add(h.name());
                out.add(v);
            }
        }
        return out.toArray(String[]::new);
    }

    private static String[] tags(Headers response, HeaderName tagHeader) {
        if (!response.contains(tagHeader)) {
            return new String[0];
        }
        List<String> tags = new ArrayList<>();
        for (String v : response.get(tagHeader).allValues()) {
            int start = 0;
            for (int i = 0; i <= v.length(); i++) {
                if (i == v.length() || v.charAt(i) == ' ' || v.charAt(i) == ',' || v.charAt(i) == '\t') {
                    if (i > start && i - start <= MAX_TAG_LENGTH && tags.size() < MAX_TAGS) {
                        tags.add(v.substring(start, i));
                    }
                    start = i + 1;
                }
            }
        }
        return tags.toArray(String[]::new);
    }

    private static long parseSeconds(String s) {
        long v = 0;
        String t = s.strip();
        if (t.isEmpty() || t.length() > 10) {
            return 0;
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
