package io.concierge.gateway.rewrite;

import java.util.ArrayList;
import java.util.List;

import io.helidon.common.uri.UriEncoding;

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
        List<String> kept = new ArrayList<>();
        for (String pair : raw.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (!name.equals(decode(eq < 0 ? pair : pair.substring(0, eq)))) {
                kept.add(pair); // empty pairs too: the rest goes exactly as sent
            }
        }
        return String.join("&", kept);
    }

    /** Decoded as Helidon decodes the query the key was read from, so both see the same name. */
    private static String decode(String s) {
        try {
            return UriEncoding.decodeQuery(s);
        } catch (RuntimeException e) {
            return s; // malformed escapes: compared as sent
        }
    }
}
