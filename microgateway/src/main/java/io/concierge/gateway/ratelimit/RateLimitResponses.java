package io.concierge.gateway.ratelimit;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.problem.Problem;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * What clients see of rate limiting, following draft-ietf-httpapi-ratelimit-headers (draft 10/11):
 *
 * <pre>
 * RateLimit-Policy: "login";q=10;w=60, "api";q=100;w=60
 * RateLimit: "login";r=7;t=6, "api";r=93;t=1
 * </pre>
 *
 * one list item per enforced limit that applied (the draft's multi-policy syntax: a List of Items
 * whose value is the policy name as a String). {@code q} is the limit, {@code w} the window in
 * seconds, {@code r} the remaining requests, {@code t} the seconds until at least one more request
 * is available. A token bucket adds {@code concierge-burst}. With {@code legacy-headers: true} the
 * most constrained of those limits is also sent as {@code X-RateLimit-Limit/-Remaining/-Reset}
 * (reset in seconds). A rejection is 429 problem+json of the draft's {@code quota-exceeded} type
 * with {@code violated-policies} and {@code Retry-After}.
 */
final class RateLimitResponses {
    static final String QUOTA_EXCEEDED = "https://iana.org/assignments/http-problem-types#quota-exceeded";
    static final HeaderName RATELIMIT_POLICY = HeaderNames.create("RateLimit-Policy");
    static final HeaderName RATELIMIT = HeaderNames.create("RateLimit");
    static final HeaderName X_LIMIT = HeaderNames.create("X-RateLimit-Limit");
    static final HeaderName X_REMAINING = HeaderNames.create("X-RateLimit-Remaining");
    static final HeaderName X_RESET = HeaderNames.create("X-RateLimit-Reset");

    private RateLimitResponses() {
    }

    static long seconds(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }

    /** One item of {@code RateLimit-Policy}: {@code "name";q=limit;w=seconds}. */
    static String policyItem(String name, Quota q) {
        StringBuilder sb = new StringBuilder().append('"').append(name).append("\";q=").append(q.limit())
                .append(";w=").append(q.windowSeconds());
        if (q instanceof TokenBucketQuota tb) {
            sb.append(";concierge-burst=").append(tb.burst());
        }
        return sb.toString();
    }

    /** Sets the headers of the enforced decisions in {@code ds[0..n)} and of {@code rejected}. */
    static void headers(ServerResponse res, RateLimiter.Decision[] ds, int n, RateLimiter.Decision rejected) {
        // The common case is one limit: its policy item is formatted once per key, not per request.
        String policy = null;
        StringBuilder policies = null;
        StringBuilder state = new StringBuilder(48);
        RateLimiter.Decision legacy = null;
        for (int i = 0; i <= n; i++) {
            RateLimiter.Decision d = i < n ? ds[i] : rejected;
            if (d == null || !d.limiter.enforced()) {
                continue;
            }
            if (policy == null) {
                policy = d.ks.policyItem;
            } else {
                if (policies == null) {
                    policies = new StringBuilder(policy);
                }
                policies.append(", ").append(d.ks.policyItem);
                state.append(", ");
            }
            long remaining = d.allowed ? Math.max(0, d.remaining) : 0;
            state.append('"').append(d.policy()).append("\";r=").append(remaining).append(";t=").append(seconds(d.waitNanos));
            if (d.limiter.config().legacyHeaders() && (legacy == null || remaining < legacyRemaining(legacy))) {
                legacy = d;
            }
        }
        if (policy == null) {
            return;
        }
        res.header(RATELIMIT_POLICY, policies == null ? policy : policies.toString());
        res.header(RATELIMIT, state.toString());
        if (legacy != null) {
            res.header(X_LIMIT, String.valueOf(legacy.quota().limit()));
            res.header(X_REMAINING, String.valueOf(legacyRemaining(legacy)));
            res.header(X_RESET, String.valueOf(seconds(legacy.waitNanos)));
        }
    }

    private static long legacyRemaining(RateLimiter.Decision d) {
        return d.allowed ? Math.max(0, d.remaining) : 0;
    }

    static void reject(Exchange ex, RateLimiter.Decision[] passed, int n, RateLimiter.Decision rejected) {
        ServerResponse res = ex.response();
        long retryAfter = Math.max(1, seconds(rejected.waitNanos));
        headers(res, passed, n, rejected);
        res.header(HeaderNames.RETRY_AFTER, String.valueOf(retryAfter));
        Problem.send(res, QUOTA_EXCEEDED, 429, "Too Many Requests", "rate limit '" + rejected.policy()
                + "' exceeded; retry in " + retryAfter + " s", ex.requestId(),
                body -> body.putArray("violated-policies").add(rejected.policy()));
    }
}
