package io.concierge.gateway.server;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.proxy.ProxyCall;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.requestid.RequestIds;
import io.concierge.gateway.resilience.RouteResilience;
import io.concierge.gateway.rewrite.RawPath;
import io.concierge.gateway.routing.RouteTable;
import io.concierge.gateway.telemetry.RequestTelemetry;
import io.concierge.gateway.telemetry.Telemetry;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * A gateway's request path, in order: request id, admission checks (framing, path), health,
 * route match, the route's pipeline (see {@link RoutePipelines}), rewrite, proxy (or, for a
 * composition endpoint, the composition: docs/composition.md).
 */
final class GatewayHandler implements Handler {
    private final RouteTable<GatewayRoute> routes;
    private final ProxyEngine engine;
    private final GatewayHealth health;
    private final boolean allowEncodedSlash;
    private final Telemetry telemetry;

    GatewayHandler(RouteTable<GatewayRoute> routes, ProxyEngine engine, GatewayHealth health, boolean allowEncodedSlash,
                   Telemetry telemetry) {
        this.telemetry = telemetry;
        this.routes = routes;
        this.engine = engine;
        this.health = health;
        this.allowEncodedSlash = allowEncodedSlash;
    }

    /** Telemetry wraps the whole request: server span, metrics and access log see every answer. */
    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        telemetry.observe(req, res, t -> handle(req, res, t));
    }

    private void handle(ServerRequest req, ServerResponse res, RequestTelemetry t) {
        String requestId = RequestIds.resolve(req.headers());
        t.requestId(requestId);
        res.header(RequestIds.HEADER, requestId);
        RawPath path = RequestGuard.admit(req, res, requestId, allowEncodedSlash);
        if (path == null) {
            return;
        }
        if (path.raw().equals("/health")) {
            t.route("/health");
            health.sendStatus(res);
            return;
        }
        String method = req.prologue().method().text();
        switch (routes.match(method, path.segments(), req.headers())) {
            case RouteTable.Match<GatewayRoute> m -> {
                GatewayRoute route = m.route();
                t.route(route.config().path());
                Exchange exchange = new Exchange(req, res, requestId, path, m.params(), route.config().id(),
                        ClientAddress.of(req));
                t.exchange(exchange);
                if (!route.pipeline().run(exchange)) {
                    return;
                }
                if (route.composition() != null) {
                    route.composition().handle(exchange);
                    return;
                }
                String target = route.rewriter().rewrite(path);
                String query = exchange.upstreamQuery() != null ? exchange.upstreamQuery()
                        : req.prologue().query().rawValue();
                if (!query.isEmpty()) {
                    target = target + "?" + query;
                }
                RouteResilience rr = route.config().resilience();
                engine.forward(req, res, new ProxyCall(route.service(), target, route.connectTimeout(),
                        route.readTimeout(), requestId,
                        exchange.upstreamHeaders().isEmpty() ? null : exchange.upstreamHeaders(),
                        route.resilience(), rr.deadline(), rr.fallback()));
            }
            case RouteTable.MethodNotAllowed<GatewayRoute> m -> {
                res.header(HeaderNames.ALLOW, String.join(", ", m.allowed()));
                Problem.send(res, 405, "Method Not Allowed", method + " is not allowed here", requestId);
            }
            case RouteTable.NotFound<GatewayRoute> n ->
                    Problem.send(res, 404, "Not Found", "no route matches this path", requestId);
        }
    }
}
