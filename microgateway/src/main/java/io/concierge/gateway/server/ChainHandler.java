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
 *
 * <p>The chain is read once per request, at its start (one volatile read), so a request runs
 * entirely on the chain it started with while a reload {@linkplain #swap swaps} in the next one:
 * requests in flight finish on the old chain.
 */
public final class ChainHandler implements Handler, Telemetry.Handling {
    private volatile Chain chain;
    private final Telemetry telemetry;

    public ChainHandler(Chain chain, Telemetry telemetry) {
        this.chain = chain;
        this.telemetry = telemetry;
    }

    /** Makes {@code next} the chain of every request that starts from now on (a configuration reload). */
    public void swap(Chain next) {
        this.chain = next;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        telemetry.observe(req, res, this);
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res, RequestTelemetry t) {
        Chain current = chain;
        Exchange exchange = new Exchange(req, res, t, ClientAddress.of(req));
        t.exchange(exchange);
        current.proceed(exchange);
    }
}
