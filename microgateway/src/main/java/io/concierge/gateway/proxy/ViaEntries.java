package io.concierge.gateway.proxy;

/**
 * This hop's entry in {@code Via} (RFC 9110 §7.6.3): the received protocol version and the hop's
 * pseudonym, on the request sent upstream and on the response relayed back. Built once per engine,
 * so a request concatenates nothing for it over HTTP/1.x.
 */
final class ViaEntries {
    private final String viaName;
    private final String http11;
    private final String http10;

    /** @param viaName this hop's pseudonym, e.g. {@code concierge-products} */
    ViaEntries(String viaName) {
        this.viaName = viaName;
        this.http11 = "1.1 " + viaName;
        this.http10 = "1.0 " + viaName;
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
