package io.concierge.gateway.server;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.routing.RouteTable;
import io.helidon.http.HeaderNames;

/**
 * The end of a gateway's front chain: the most specific route that matches goes on with that
 * route's own chain ({@link RouteChains#route}); 405 with {@code Allow}, or 404, otherwise.
 */
final class RouteMatchStep implements Step {
    private final RouteTable<GatewayRoute> routes;

    RouteMatchStep(RouteTable<GatewayRoute> routes) {
        this.routes = routes;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        String method = exchange.request().prologue().method().text();
        switch (routes.match(method, exchange.path().segments(), exchange.request().headers())) {
            case RouteTable.Match<GatewayRoute> m -> {
                GatewayRoute route = m.route();
                exchange.observer().route(route.config().path());
                exchange.route(route.config().id(), m.params());
                route.chain().proceed(exchange);
            }
            case RouteTable.MethodNotAllowed<GatewayRoute> m -> {
                exchange.response().header(HeaderNames.ALLOW, String.join(", ", m.allowed()));
                Problem.send(exchange.response(), 405, "Method Not Allowed", method + " is not allowed here",
                        exchange.requestId());
            }
            case RouteTable.NotFound<GatewayRoute> n ->
                    Problem.send(exchange.response(), 404, "Not Found", "no route matches this path",
                            exchange.requestId());
        }
    }
}
