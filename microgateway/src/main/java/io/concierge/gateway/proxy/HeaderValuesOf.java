package io.concierge.gateway.proxy;

import java.util.List;

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
}
