package io.concierge.gateway.proxy;

import java.util.List;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.Headers;

/**
 * Helidon's {@code Headers.values(name)} without its cost when the header is absent: it always builds
 * a stream pipeline and a list, and the proxy asks for headers a client rarely sends ({@code Connection},
 * {@code Via}, the forwarding headers) on every request. Same values when present.
 */
final class HeaderValuesOf {
    private HeaderValuesOf() {
    }

    /** The header's values as {@code headers.values(name)} gives them, or an empty list when absent. */
    static List<String> of(Headers headers, HeaderName name) {
        return headers.contains(name) ? headers.values(name) : List.of();
    }

    /**
     * {@code String.join(", ", headers.values(name))}, or null when absent, without the stream
     * pipeline and lists for the usual case: one field line whose value has no comma, which
     * {@code values} gives back as it is (it splits at commas only, and trims nothing).
     */
    static String joined(Headers headers, HeaderName name) {
        if (!headers.contains(name)) {
            return null;
        }
        Header h = headers.get(name);
        if (h.valueCount() == 1) {
            String v = h.get();
            if (v.indexOf(',') < 0) {
                return v;
            }
        }
        return String.join(", ", headers.values(name));
    }
}
