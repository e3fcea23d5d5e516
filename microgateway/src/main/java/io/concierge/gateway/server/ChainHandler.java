package io.concierge.gateway.server;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.ClientAddress;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.telemetry.RequestTelemetry;
import io.concierge.gateway.telemetry.Telemetry;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The public listener's handler of the edge and of every gateway: runs the server's chain (built by
 * {@link RouteChains}) inside the server's telemetry, so the server span, metrics and access log
 * see every answer, a thrown failure included.
 */
public final class ChainHandler implements Handler, Telemetry.Handling {
    private final Chain chain;
    private final Telemetry telemetry;

    public ChainHandler(Chain chain, Telemetry telemetry) {
        this.chain = chain;
        this.telemetry = telemetry;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        telemetry.observe(req, res, this);
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res, RequestTelemetry t) {
        Exchange exchange = new Exchange(req, res, t, ClientAddress.of(req));
        t.exchange(exchange);
        chain.proceed(exchange);
    }
}
