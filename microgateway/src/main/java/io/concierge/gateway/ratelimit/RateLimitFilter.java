package io.concierge.gateway.ratelimit;

import java.util.List;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Filter;

/**
 * The per-request step: every limit that applies must pass. Limits are asked in order (edge or
 * domain level first, then the route's); the first enforced limit that says no answers 429, and
 * the limits already passed get their permit back, so a rejected request costs nothing. A shadow
 * limit ({@code enforce: false}) that says no is counted and logged, and the request goes on.
 * On success the enforced limits' state goes into the response headers.
 */
final class RateLimitFilter implements Filter {
    private final RateLimiter[] limiters;

    RateLimitFilter(List<RateLimiter> limiters) {
        this.limiters = limiters.toArray(new RateLimiter[0]);
    }

    int size() {
        return limiters.length;
    }

    @Override
    public boolean apply(Exchange ex) {
        RateLimiter.Decision[] passed = new RateLimiter.Decision[limiters.length];
        int n = 0;
        for (RateLimiter limiter : limiters) {
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
                return false;
            } else {
                limiter.shadowRejected(ex);
            }
        }
        for (int i = 0; i < n; i++) {
            passed[i].limiter.stats().allowed.increment();
        }
        if (n > 0) {
            RateLimitResponses.headers(ex.response(), passed, n, null);
        }
        return true;
    }
}
