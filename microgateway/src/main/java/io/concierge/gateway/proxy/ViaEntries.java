package io.concierge.gateway.proxy;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;

/**
 * This hop's entry in {@code Via} (RFC 9110 §7.6.3): the received protocol version and the hop's
 * pseudonym, on the request sent upstream and on the response relayed back. Built once per engine,
 * so a request concatenates nothing for it over HTTP/1.x, and a relayed response without a
 * {@code Via} of its own gets a prebuilt header (Helidon neither copies nor re-encodes a cached one).
 */
final class ViaEntries {
    private final String viaName;
    private final String http11;
    private final String http10;
    private final Header http11Header;
    private final Header http10Header;

    /** @param viaName this hop's pseudonym, e.g. {@code concierge-products} */
    ViaEntries(String viaName) {
        this.viaName = viaName;
        this.http11 = "1.1 " + viaName;
        this.http10 = "1.0 " + viaName;
        this.http11Header = HeaderValues.createCached(HeaderNames.VIA, http11);
        this.http10Header = HeaderValues.createCached(HeaderNames.VIA, http10);
    }

    /** {@code Via} with only this hop's entry, for a response received over HTTP/1.1 or HTTP/1.0. */
    Header header(boolean http11) {
        return http11 ? http11Header : http10Header;
    }

    /** The entry for a response received over HTTP/1.1 ({@code true}) or HTTP/1.0. */
    String of(boolean http11) {
        return http11 ? this.http11 : http10;
    }

    /** The entry for a request received with this protocol version ({@code 1.1}, {@code 2.0}, ...). */
    String of(String version) {
        return switch (version) {
            case "1.1" -> http11;
            case "1.0" -> http10;
            default -> version + " " + viaName;
        };
    }
}
