package io.concierge.gateway.server;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.rewrite.RawPath;

/** The checks every request must pass before it is routed ({@link RequestGuard}): framing and path. */
public final class AdmissionStep implements Step {
    private final boolean allowEncodedSlash;

    public AdmissionStep(boolean allowEncodedSlash) {
        this.allowEncodedSlash = allowEncodedSlash;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        RawPath path = RequestGuard.admit(exchange.request(), exchange.response(), exchange.requestId(),
                allowEncodedSlash);
        if (path == null) {
            return;
        }
        exchange.path(path);
        next.proceed(exchange);
    }
}
