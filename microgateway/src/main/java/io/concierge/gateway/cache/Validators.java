package io.concierge.gateway.cache;

import io.helidon.http.HeaderNames;
import io.helidon.http.ServerRequestHeaders;

/** Client conditional requests against a stored response (RFC 9110 sections 13.1.2, 13.1.3). */
final class Validators {
    private Validators() {
    }

    /** Whether the client's {@code If-None-Match} (or else {@code If-Modified-Since}) matches {@code r}. */
    static boolean notModified(ServerRequestHeaders h, StoredResponse r) {
        if (h.contains(HeaderNames.IF_NONE_MATCH)) {
            if (r.etag() == null) {
                return false;
            }
            for (String v : h.get(HeaderNames.IF_NONE_MATCH).allValues()) {
                if (matchesAny(v, r.etag())) {
                    return true;
                }
            }
            return false;
        }
        if (h.contains(HeaderNames.IF_MODIFIED_SINCE) && r.lastModified() != null) {
            long since = CachePolicy.httpDate(h.first(HeaderNames.IF_MODIFIED_SINCE).orElse(null));
            long modified = CachePolicy.httpDate(r.lastModified());
            return since >= 0 && modified >= 0 && modified <= since;
        }
        return false;
    }

    /** Weak comparison of {@code etag} with a comma-separated list (or {@code *}); one pass, no split. */
    static boolean matchesAny(String list, String etag) {
        String tag = opaque(etag);
        int n = list.length();
        int i = 0;
        while (i < n) {
            while (i < n && (list.charAt(i) == ' ' || list.charAt(i) == ',' || list.charAt(i) == '\t')) {
                i++;
            }
            int start = i;
            boolean quoted = false;
            while (i < n && (quoted || list.charAt(i) != ',')) {
                if (list.charAt(i) == '"') {
                    quoted = !quoted;
                }
                i++;
            }
            String candidate = list.substring(start, i).strip();
            if (candidate.equals("*") || (!candidate.isEmpty() && opaque(candidate).equals(tag))) {
                return true;
            }
        }
        return false;
    }

    private static String opaque(String etag) {
        String e = etag.strip();
        return e.startsWith("W/") ? e.substring(2) : e;
    }

    /** The fields a 304 carries (RFC 9110 section 15.4.5), beside Age and Cache-Status. */
    static boolean keptOn304(String name) {
        return name.equalsIgnoreCase("ETag") || name.equalsIgnoreCase("Cache-Control")
                || name.equalsIgnoreCase("Expires") || name.equalsIgnoreCase("Vary")
                || name.equalsIgnoreCase("Content-Location") || name.equalsIgnoreCase("Last-Modified");
    }
}
