package io.concierge.edge;

import java.time.Duration;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.proxy.ProxyCall;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.rewrite.RawPath;
import io.helidon.http.HeaderNames;

/**
 * The end of the edge's chain ({@link EdgeChain#build}): longest-prefix dispatch to a live
 * instance of the owning domain's gateway. The path and query go on unchanged: rewriting is the
 * domain gateway's business. The timeouts are {@code upstream.timeouts}: the same for every domain.
 */
record DispatchStep(PrefixDispatcher dispatcher, ProxyEngine engine, Duration connectTimeout, Duration readTimeout)
        implements Step {
    private static final String RETRY_AFTER_SECONDS = "5";

    @Override
    public void handle(Exchange exchange, Chain next) {
        RawPath path = exchange.path();
        String requestId = exchange.requestId();
        String domain = dispatcher.table().owner(path.segments());
        if (domain == null) {
            Problem.send(exchange.response(), 404, "Not Found", "no domain serves this path", requestId);
            return;
        }
        // The edge's route is the owning domain: bounded by the registry, never a raw path.
        exchange.observer().route(domain);
        PrefixDispatcher.Target domainTarget = dispatcher.target(domain);
        UpstreamGroup group = domainTarget == null ? null : domainTarget.group();
        if (group == null || group.instances().isEmpty()) {
            exchange.response().header(HeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
            Problem.send(exchange.response(), 503, "Service Unavailable", "no live instance of the '" + domain
                    + "' gateway", requestId);
            return;
        }
        String query = exchange.request().prologue().query().rawValue();
        String target = query.isEmpty() ? path.raw() : path.raw() + "?" + query;
        // With the domain's failover state: a request that fails before any response byte is retried
        // on another instance, and an instance that refuses connections is ejected.
        engine.forward(exchange.request(), exchange.response(), new ProxyCall(group, target, connectTimeout,
                readTimeout, requestId,
                exchange.upstreamChanges(), domainTarget.failover(),
                null));
    }
}
