package io.concierge.gateway.server;

import java.util.function.Consumer;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Step;
import io.helidon.webserver.http.ServerResponse;

/** {@code /health} on the public port: the status only; the detail is on the admin port. */
public final class HealthStep implements Step {
    private static final String PATH = "/health";

    private final Consumer<ServerResponse> status;

    /** @param status answers with the server's public status */
    public HealthStep(Consumer<ServerResponse> status) {
        this.status = status;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        if (exchange.path().raw().equals(PATH)) {
            exchange.observer().route(PATH);
            status.accept(exchange.response());
            return;
        }
        next.proceed(exchange);
    }
}
