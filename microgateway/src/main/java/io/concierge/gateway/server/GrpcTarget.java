package io.concierge.gateway.server;

import io.concierge.gateway.grpc.GrpcTranscoder;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;

/** A route whose target is a gRPC method, transcoded from and to JSON (docs/grpc.md). */
public record GrpcTarget(GrpcTranscoder transcoder) implements RouteTarget {

    @Override
    public void handle(Exchange exchange, Chain next) {
        transcoder.handle(exchange);
    }
}
