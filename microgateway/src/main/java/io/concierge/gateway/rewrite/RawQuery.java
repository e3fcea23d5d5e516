package io.concierge.gateway.rewrite;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Edits of a raw query string that leave every other byte of it as the client sent it. */
public final class RawQuery {
    private RawQuery() {
    }

    /**
     * The query without any {@code name=...} pair (nor a bare {@code name}). Names are compared
     * decoded, so {@code api%5Fkey} is removed along with {@code api_key}: the upstream must not
     * receive a credential under a spelling the gateway happened not to match.
     */
    public static String without(String raw, String name) {
        if (raw.isEmpty()) {
            return raw;
        }
        StringBuilder kept = new StringBuilder(raw.length());
        int start = 0;
        while (start <= raw.length()) {
            int end = raw.indexOf('&', start);
            if (end < 0) {
                end = raw.length();
            }
            String pair = raw.substring(start, end);
            int eq = pair.indexOf('=');
            String pairName = eq < 0 ? pair : pair.substring(0, eq);
            if (!name.equals(decode(pairName))) {
                if (!kept.isEmpty()) {
                    kept.append('&');
                }
                kept.append(pair);
            }
            start = end + 1;
        }
        return kept.toString();
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // malformed escapes: compared as sent
        }
    }
}
