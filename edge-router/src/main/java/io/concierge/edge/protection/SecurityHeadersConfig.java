package io.concierge.edge.protection;

import java.time.Duration;

import io.concierge.gateway.config.ConfigNode;

/**
 * Response headers the edge adds to every response.
 *
 * @param hsts              send {@code Strict-Transport-Security} on responses over TLS (default true; never on plain HTTP,
 *                          where it would be meaningless and RFC 6797 section 7.2 forbids it)
 * @param hstsMaxAge        default 365 days ({@code 8760h})
 * @param hstsIncludeSubdomains default false
 * @param contentTypeOptions {@code X-Content-Type-Options: nosniff} (default true)
 * @param frameAncestors    value of {@code Content-Security-Policy: frame-ancestors ...} (default {@code 'none'});
 *                          empty to send no such header
 */
public record SecurityHeadersConfig(boolean hsts, Duration hstsMaxAge, boolean hstsIncludeSubdomains,
                                    boolean contentTypeOptions, String frameAncestors) {
    public static final SecurityHeadersConfig DEFAULT = new SecurityHeadersConfig(true, Duration.ofDays(365), false, true,
            "'none'");

    /** Whether any header is configured; with none the edge's chain has no security-headers step. */
    public boolean sendsAny() {
        return hsts || contentTypeOptions || !frameAncestors.isEmpty();
    }

    static SecurityHeadersConfig read(ConfigNode node) {
        SecurityHeadersConfig c = new SecurityHeadersConfig(node.bool("hsts", DEFAULT.hsts()),
                node.duration("hsts-max-age", DEFAULT.hstsMaxAge()),
                node.bool("hsts-include-subdomains", DEFAULT.hstsIncludeSubdomains()),
                node.bool("content-type-options", DEFAULT.contentTypeOptions()),
                node.string("frame-ancestors", DEFAULT.frameAncestors()).trim());
        if (c.frameAncestors().indexOf(';') >= 0 || c.frameAncestors().chars().anyMatch(ch -> ch < 0x20 || ch >= 0x7F)) {
            throw node.error("frame-ancestors", "must be a list of sources such as 'none', 'self' or https://example.com");
        }
        node.rejectUnknownKeys();
        return c;
    }
}
