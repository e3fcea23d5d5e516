package io.concierge.edge.protection;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.ChainResponse;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.ResponseInterceptor;
import io.concierge.gateway.pipeline.Step;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;

/**
 * Security response headers on every response of the edge, its own errors and relayed ones alike.
 * HSTS only on responses over TLS: on plain HTTP it means nothing to a browser (RFC 6797 section
 * 7.2) and would only advertise a policy the connection cannot back.
 *
 * <p>A response-side step: it sets the headers on the answer of the steps after it (refusals,
 * preflights, relayed responses) just before its head is written, replacing an upstream's own.
 */
public final class SecurityHeadersStep implements Step, ResponseInterceptor {
    // Cached headers: Helidon sets them as they are (a writable header would be copied per response)
    // and writes their prebuilt bytes.
    private final Header hsts;
    private final Header nosniff;
    private final Header csp;

    public SecurityHeadersStep(SecurityHeadersConfig config) {
        this.hsts = config.hsts() ? HeaderValues.createCached(HeaderNames.STRICT_TRANSPORT_SECURITY, "max-age="
                + config.hstsMaxAge().toSeconds() + (config.hstsIncludeSubdomains() ? "; includeSubDomains" : "")) : null;
        this.nosniff = config.contentTypeOptions()
                ? HeaderValues.createCached(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff") : null;
        this.csp = config.frameAncestors().isEmpty() ? null
                : HeaderValues.createCached(HeaderNames.create("Content-Security-Policy"),
                        "frame-ancestors " + config.frameAncestors());
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        exchange.beforeHead(this);
        next.proceed(exchange);
    }

    @Override
    public void beforeHead(Exchange exchange, ChainResponse response) {
        var headers = response.headers();
        if (hsts != null && exchange.request().isSecure()) {
            headers.set(hsts);
        }
        if (nosniff != null) {
            headers.set(nosniff);
        }
        if (csp != null) {
            headers.set(csp);
        }
    }
}
