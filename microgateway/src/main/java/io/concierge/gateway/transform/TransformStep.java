package io.concierge.gateway.transform;

import java.util.concurrent.atomic.LongAdder;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.ChainResponse;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.ResponseInterceptor;
import io.concierge.gateway.pipeline.Step;

/**
 * A route's (or composition's, or API version's) {@code transform}: edits the upstream request's
 * headers and query before proceeding, and the answer's headers and JSON body on the way back.
 * Without body operations it registers itself (no allocation per request); with them, one
 * {@link BodyRewrite} per request, which buffers the body within the configured size.
 */
public final class TransformStep implements Step, ResponseInterceptor {
    private final TransformConfig config;
    private final LongAdder[] stats;
    private final String etagSuffix;

    /** @param id the route or composition, for the metrics */
    public TransformStep(String id, TransformConfig config, TransformStats stats) {
        this.config = config;
        this.stats = stats.route(id);
        // Distinguishes this transformation's representation from the upstream's and from another
        // configuration's, in the weak ETag of a transformed body.
        this.etagSuffix = "-t" + Integer.toHexString(config.toString().hashCode());
    }

    /** Null when {@code config} does nothing, so the chain has no step for it. */
    public static TransformStep forConfig(String id, TransformConfig config, TransformStats stats) {
        return config.isEmpty() ? null : new TransformStep(id, config, stats);
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        if (!config.requestHeaders().isEmpty()) {
            config.requestHeaders().applyUpstream(exchange);
        }
        if (!config.query().isEmpty()) {
            String raw = exchange.upstreamQuery() != null ? exchange.upstreamQuery()
                    : exchange.request().prologue().query().rawValue();
            exchange.upstreamQuery(config.query().apply(raw));
        }
        if (config.transformsBody()) {
            exchange.beforeHead(new BodyRewrite(this));
        } else if (!config.responseHeaders().isEmpty()) {
            exchange.beforeHead(this);
        }
        next.proceed(exchange);
    }

    /** Header edits only. */
    @Override
    public void beforeHead(Exchange exchange, ChainResponse response) {
        config.responseHeaders().applyResponse(response.headers());
    }

    TransformConfig config() {
        return config;
    }

    String etagSuffix() {
        return etagSuffix;
    }

    void count(TransformStats.Outcome outcome) {
        stats[outcome.ordinal()].increment();
    }
}
