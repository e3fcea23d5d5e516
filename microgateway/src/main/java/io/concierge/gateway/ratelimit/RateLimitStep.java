package io.concierge.gateway.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.ChainResponse;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.ResponseInterceptor;
import io.concierge.gateway.pipeline.Step;

/**
 * The per-request step: every limit that applies must pass. Limits are asked in order (edge or
 * domain level first, then the route's); the first enforced limit that says no answers 429, and
 * the limits already passed get their permit back, so a rejected request costs nothing. A shadow
 * limit ({@code enforce: false}) that says no is counted and logged, and the request goes on.
 *
 * <p>A response-side step: on success the enforced limits' state ({@code RateLimit},
 * {@code RateLimit-Policy}) goes into the headers of whatever answer comes back from the steps
 * after it, replacing any an upstream sent: the gateway's limits are what the client must obey.
 */
public final class RateLimitStep implements Step {
    private final RateLimiter[] limiters;
    /** How many of {@link #limiters}, at the front, are the domain's (or the edge's) shared limits. */
    private final int shared;

    private RateLimitStep(List<RateLimiter> limiters, int shared) {
        this.limiters = limiters.toArray(new RateLimiter[0]);
        this.shared = shared;
    }

    /**
     * The domain's limits (shared by all its routes), then the route's own; null when neither has any.
     *
     * @param routeId names the route's own limiters in health and logs
     */
    public static RateLimitStep forRoute(List<RateLimitConfig> domainLimits, String routeId,
                                         List<RateLimitConfig> routeLimits, RateLimiting state) {
        if (domainLimits.isEmpty() && routeLimits.isEmpty()) {
            return null;
        }
        List<RateLimiter> limiters = new ArrayList<>(state.sharedLimiters(domainLimits, "domain"));
        int shared = limiters.size();
        for (RateLimitConfig c : routeLimits) {
            limiters.add(state.limiter(c, "route " + routeId));
        }
        return new RateLimitStep(limiters, shared);
    }

    /** The edge's limits, run before dispatch; null when there are none. */
    public static RateLimitStep forEdge(List<RateLimitConfig> limits, RateLimiting state) {
        if (limits.isEmpty()) {
            return null;
        }
        List<RateLimiter> shared = state.sharedLimiters(limits, "edge");
        return new RateLimitStep(shared, shared.size());
    }

    /** The {@code rateLimiting} section of {@code /health} of a server with or without limits. */
    public static Map<String, Object> health(RateLimiting state) {
        return state == null ? Map.of("limits", List.of()) : state.health();
    }

    int size() {
        return limiters.length;
    }

    @Override
    public void handle(Exchange ex, Chain next) {
        RateLimiter.Decision[] passed = new RateLimiter.Decision[limiters.length];
        int n = 0;
        // A local composition call is part of a client request the domain's limits counted already:
        // only the route's own limits count it (once, as the client's direct request to the route).
        for (int l = ex.isLocalCall() ? shared : 0; l < limiters.length; l++) {
            RateLimiter limiter = limiters[l];
            if (!limiter.applies(ex)) {
                continue;
            }
            RateLimiter.Decision d = limiter.decide(ex);
            if (d.allowed) {
                passed[n++] = d;
            } else if (limiter.enforced()) {
                for (int i = 0; i < n; i++) {
                    passed[i].refund();
                }
                limiter.stats().rejected.increment();
                RateLimitResponses.reject(ex, passed, n, d);
                return;
            } else {
                limiter.shadowRejected(ex);
            }
        }
        for (int i = 0; i < n; i++) {
            passed[i].limiter.stats().allowed.increment();
        }
        if (n > 0) {
            ex.beforeHead(new PassedLimits(passed, n));
        }
        next.proceed(ex);
    }

    /** The decisions of one request, kept until its answer's head is written. */
    private record PassedLimits(RateLimiter.Decision[] decisions, int count) implements ResponseInterceptor {
        @Override
        public void beforeHead(Exchange exchange, ChainResponse response) {
            RateLimitResponses.headers(response, decisions, count, null);
        }
    }
}
