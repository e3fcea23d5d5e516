package io.concierge.gateway.server;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.requestid.RequestIds;

/**
 * A sane incoming {@code X-Request-Id} is kept, anything else replaced by a UUID; set on the
 * response before anything can answer, so every answer carries it, errors included. The rest of the
 * chain runs with it as the thread's current request id, for application log lines.
 */
public final class RequestIdStep implements Step {
    @Override
    public void handle(Exchange exchange, Chain next) {
        String requestId = RequestIds.resolve(exchange.request().headers());
        exchange.requestId(requestId);
        exchange.observer().requestId(requestId);
        exchange.response().header(RequestIds.HEADER, requestId);
        String previous = RequestIds.enter(requestId);
        try {
            next.proceed(exchange);
        } finally {
            RequestIds.exit(previous);
        }
    }
}
