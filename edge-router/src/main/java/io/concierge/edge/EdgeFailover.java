package io.concierge.edge;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.resilience.ResilienceConfig;

/**
 * The edge's {@code upstream.retry} and {@code upstream.ejection} sections: what happens when a
 * gateway instance dies under load. Documented in docs/configuration.md and docs/resilience.md.
 *
 * <p>The edge retries only a failure before any response byte (the connection was refused, reset,
 * found closed, or ended before the status line), and only for an idempotent method, on another
 * instance of the same domain, within a retry budget and the request's deadline (the edge's read
 * timeout, counted from the first try). An instance that refuses a connection is ejected at once:
 * no request chooses it until the ejection ends (it doubles each time) or discovery removes it.
 */
final class EdgeFailover {
    /** Tries in all, the first included: enough for two instances of a domain dying at once. */
    static final int DEFAULT_ATTEMPTS = 3;
    static final int DEFAULT_MAX_REPLAY_BODY = 64 * 1024;
    static final int DEFAULT_BUDGET_PERCENT = 20;
    /** Higher than a gateway's 3: a dying instance fails every request in flight on it at once. */
    static final int DEFAULT_BUDGET_MIN_PER_SECOND = 10;
    static final Duration DEFAULT_BASE_EJECTION = Duration.ofSeconds(1);
    static final Duration DEFAULT_MAX_EJECTION = Duration.ofSeconds(30);

    private EdgeFailover() {
    }

    /**
     * @param upstream the {@code upstream} section of edge.yaml
     * @param deadline all tries of one request (the edge's read timeout)
     */
    static ResilienceConfig read(ConfigNode upstream, Duration deadline) {
        ConfigNode r = upstream.object("retry");
        int attempts = r.integer("attempts", DEFAULT_ATTEMPTS, 1, 10);
        Set<String> methods = ResilienceConfig.DEFAULT_RETRY_METHODS;
        if (r.has("methods")) {
            List<String> listed = r.stringList("methods");
            Set<String> chosen = new LinkedHashSet<>();
            for (String m : listed) {
                String upper = m.toUpperCase(Locale.ROOT);
                if (!ResilienceConfig.DEFAULT_RETRY_METHODS.contains(upper)) {
                    // POST and PATCH may have taken effect at the gateway before it died; the
                    // edge cannot know, and it has no Idempotency-Key opt-in (the gateways do).
                    throw r.error("methods", "'" + m + "' cannot be retried by the edge; allowed: GET, HEAD, OPTIONS,"
                            + " PUT, DELETE (the idempotent methods of RFC 9110)");
                }
                chosen.add(upper);
            }
            methods = Set.copyOf(chosen);
        }
        int maxReplayBody = r.integer("max-replay-body", DEFAULT_MAX_REPLAY_BODY, 0, 16 * 1024 * 1024);
        ConfigNode budget = r.object("budget");
        double ratio = budget.integer("percent", DEFAULT_BUDGET_PERCENT, 0, 100) / 100.0;
        int minPerSecond = budget.integer("min-per-second", DEFAULT_BUDGET_MIN_PER_SECOND, 0, 100_000);
        budget.rejectUnknownKeys();
        r.rejectUnknownKeys();

        ConfigNode e = upstream.object("ejection");
        Duration base = e.duration("base", DEFAULT_BASE_EJECTION);
        Duration max = e.duration("max", DEFAULT_MAX_EJECTION);
        if (max.compareTo(base) < 0) {
            throw e.error("max", "must not be shorter than base (" + e.string("base", base.toMillis() + "ms") + ")");
        }
        e.rejectUnknownKeys();

        // No backoff: a retry goes to another instance, which has no reason to be failing too.
        ResilienceConfig.Retry retry = new ResilienceConfig.Retry(attempts, Duration.ZERO, Duration.ZERO, methods,
                false, maxReplayBody, ratio, minPerSecond);
        // One refusal ejects; every instance may be ejected, since the proxy then tries them all
        // anyway rather than refuse the domain's traffic on the word of ejections alone.
        ResilienceConfig.Outlier ejection = new ResilienceConfig.Outlier(1, base, max, 100);
        return ResilienceConfig.gatewayInstances(deadline, retry, ejection);
    }
}
