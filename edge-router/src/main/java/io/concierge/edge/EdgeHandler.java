package io.concierge.edge;

import java.util.Map;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Pipeline;
import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.proxy.ProxyCall;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.proxy.UpstreamGroup;
import io.concierge.gateway.requestid.RequestIds;
import io.concierge.gateway.rewrite.RawPath;
import io.concierge.gateway.server.ClientAddress;
import io.concierge.gateway.server.RequestGuard;
import io.concierge.gateway.telemetry.RequestTelemetry;
import io.concierge.gateway.telemetry.Telemetry;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The edge's request path: request id, admission checks, {@code /health}, the edge pipeline
 * ({@link EdgePipelines}: protection, edge-wide limits), longest-prefix dispatch
 * to a live instance of the owning domain's gateway. The path and query go on unchanged: rewriting
 * is the domain gateway's business.
 */
final class EdgeHandler implements Handler {
    private static final String RETRY_AFTER_SECONDS = "5";
    private final PrefixDispatcher dispatcher;
    private final ProxyEngine engine;
    private final EdgeHealth health;
    private final EdgeConfig config;
    private final Pipeline pipeline;
    private final Telemetry telemetry;

    EdgeHandler(PrefixDispatcher dispatcher, ProxyEngine engine, EdgeHealth health, EdgeConfig config, Pipeline pipeline,
                Telemetry telemetry) {
        this.telemetry = telemetry;
        this.pipeline = pipeline;
        this.dispatcher = dispatcher;
        this.engine = engine;
        this.health = health;
        this.config = config;
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
        RawPath path = RequestGuard.admit(req, res, requestId, config.limits().allowEncodedSlash());
        if (path == null) {
            return;
        }
        if (path.raw().equals("/health")) {
            t.route("/health");
            health.sendStatus(res);
            return;
        }
        Exchange exchange = new Exchange(req, res, requestId, path, Map.of(), null, ClientAddress.of(req));
        t.exchange(exchange);
        if (!pipeline.run(exchange)) {
            return;
        }
        String domain = dispatcher.table().owner(path.segments());
        if (domain == null) {
            Problem.send(res, 404, "Not Found", "no domain serves this path", requestId);
            return;
        }
        // The edge's route is the owning domain: bounded by the registry, never a raw path.
        t.route(domain);
        UpstreamGroup group = dispatcher.group(domain);
        if (group == null || group.instances().isEmpty()) {
            res.header(HeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
            Problem.send(res, 503, "Service Unavailable", "no live instance of the '" + domain + "' gateway",
                    requestId);
            return;
        }
        String query = req.prologue().query().rawValue();
        String target = query.isEmpty() ? path.raw() : path.raw() + "?" + query;
        // With the domain's failover state: a request that fails before any response byte is retried
        // on another instance, and an instance that refuses connections is ejected.
        engine.forward(req, res, new ProxyCall(group, target, config.connectTimeout(), config.readTimeout(), requestId,
                exchange.upstreamHeaders().isEmpty() ? null : exchange.upstreamHeaders(), dispatcher.failover(domain),
                null, null));
    }
}
