package io.concierge.gateway.server;

import io.concierge.gateway.composition.CompositionEndpoint;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;

/** A composition endpoint: answers by merging the JSON of several calls (docs/composition.md). */
public record CompositionTarget(CompositionEndpoint endpoint) implements RouteTarget {

    @Override
    public void handle(Exchange exchange, Chain next) {
        endpoint.handle(exchange);
    }
}
