package io.concierge.gateway.resilience;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.concierge.gateway.config.ConfigNode;

/**
 * A service's {@code resilience} section. Every default is documented in docs/resilience.md.
 *
 * @param deadline         overall budget of one client request, all tries and backoff included (default 30s)
 * @param retry            retry policy
 * @param breaker          per-instance circuit breaker
 * @param bulkhead         per-service concurrency limit, or null for none (the edge)
 * @param outlier          passive outlier ejection
 * @param healthCheck      active health checking, or null (off) when no path is configured
 * @param failures         which failures are retried and count against an instance
 */
public record ResilienceConfig(Duration deadline, Retry retry, Breaker breaker, Bulkhead bulkhead, Outlier outlier,
                               HealthCheck healthCheck, FailureScope failures) {

    /** Which failures a retry answers and which count against an instance (breaker, outlier ejection). */
    public enum FailureScope {
        /**
         * A gateway towards its services: connection failures, per-try timeouts and 502/503/504 are
         * retried; any of those and every 5xx count against the instance.
         */
        UPSTREAM,
        /**
         * The edge towards gateway instances: only a failure before any response byte is retried
         * (refused, reset, a closed pooled connection, end of stream before the status line), never a
         * timeout or an answer (the gateway behind has already retried for its service, and retrying at
         * two layers multiplies load). Only a refused connection counts against the instance: a 5xx is
         * the service's answer, and a reset also happens when a healthy gateway closes an idle connection.
         */
        CONNECTION
    }

    /**
     * @param attempts           tries in all, the first included (default 2: one retry); 1 disables retries
     * @param backoffBase        first backoff ceiling; full jitter picks uniformly in [0, ceiling] (default 25ms)
     * @param backoffMax         the ceiling doubles per retry up to this (default 1s)
     * @param methods            methods that are retried (default GET, HEAD, OPTIONS, PUT, DELETE)
     * @param idempotentPost     retry POST/PATCH when the request carries {@code Idempotency-Key} (default false)
     * @param maxReplayBody      a request body up to this size (with Content-Length) is kept for replay;
     *                           larger or chunked bodies are never retried (default 64 KiB)
     * @param budgetRatio        retries may add at most this fraction of requests (default 0.2)
     * @param budgetMinPerSecond retries always allowed per second regardless of the ratio, so a quiet
     *                           service can still retry (default 3)
     */
    public record Retry(int attempts, Duration backoffBase, Duration backoffMax, Set<String> methods,
                        boolean idempotentPost, int maxReplayBody, double budgetRatio, int budgetMinPerSecond) {
    }

    /**
     * @param enabled        default true
     * @param window         outcomes remembered per instance (default 20)
     * @param minimumCalls   outcomes needed before the rate is judged (default 10)
     * @param failureRate    percent of failures in the window that opens the breaker (default 50)
     * @param openFor        how long an open breaker skips the instance (default 10s)
     * @param halfOpenProbes trial requests let through after {@code openFor}; all must succeed to close (default 1)
     */
    public record Breaker(boolean enabled, int window, int minimumCalls, int failureRate, Duration openFor,
                          int halfOpenProbes) {
    }

    /**
     * @param maxConcurrent requests in flight to the service (default 256)
     * @param queue         requests waiting for a slot; beyond it a fast 503 (default 64)
     */
    public record Bulkhead(int maxConcurrent, int queue) {
    }

    /**
     * @param consecutiveFailures consecutive 5xx or connect failures that eject an instance (default 5)
     * @param baseEjection        first ejection; doubles with each ejection of the same instance (default 10s)
     * @param maxEjection         cap of the growing ejection time (default 5m)
     * @param maxEjectedPercent   never more than this share of a service's instances ejected at once (default 50)
     */
    public record Outlier(int consecutiveFailures, Duration baseEjection, Duration maxEjection, int maxEjectedPercent) {
    }

    /**
     * @param path               HTTP path probed with GET; 2xx is healthy
     * @param interval           between probes (default 5s)
     * @param timeout            of one probe (default 1s)
     * @param healthyThreshold   consecutive successes that mark an unhealthy instance healthy (default 2)
     * @param unhealthyThreshold consecutive failures that mark a healthy instance unhealthy (default 3)
     */
    public record HealthCheck(String path, Duration interval, Duration timeout, int healthyThreshold,
                              int unhealthyThreshold) {
    }

    /** The idempotent methods of RFC 9110 section 9.2.2 except TRACE (a diagnostic, not worth a retry). */
    public static final Set<String> DEFAULT_RETRY_METHODS = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

    public static ResilienceConfig defaults() {
        return new ResilienceConfig(Duration.ofSeconds(30),
                new Retry(2, Duration.ofMillis(25), Duration.ofSeconds(1), DEFAULT_RETRY_METHODS, false, 64 * 1024,
                        0.2, 3),
                new Breaker(true, 20, 10, 50, Duration.ofSeconds(10), 1),
                new Bulkhead(256, 64),
                new Outlier(5, Duration.ofSeconds(10), Duration.ofMinutes(5), 50),
                null, FailureScope.UPSTREAM);
    }

    /**
     * What the edge uses towards one domain's gateway instances: {@link FailureScope#CONNECTION}, no
     * breaker (ejection on a refused connection does its work), no bulkhead (the gateways have theirs),
     * no health checks (discovery's checks are the edge's).
     *
     * @param deadline all tries of one request
     * @param retry    the edge's retry policy
     * @param ejection how long an instance that refused a connection is skipped
     */
    public static ResilienceConfig gatewayInstances(Duration deadline, Retry retry, Outlier ejection) {
        ResilienceConfig d = defaults();
        Breaker off = new Breaker(false, d.breaker().window(), d.breaker().minimumCalls(), d.breaker().failureRate(),
                d.breaker().openFor(), d.breaker().halfOpenProbes());
        return new ResilienceConfig(deadline, retry, off, null, ejection, null, FailureScope.CONNECTION);
    }

    public static ResilienceConfig read(ConfigNode node) {
        ResilienceConfig d = defaults();
        Duration deadline = node.duration("deadline", d.deadline());

        ConfigNode r = node.object("retry");
        Retry dr = d.retry();
        List<String> methodList = r.stringList("methods");
        Set<String> methods = new LinkedHashSet<>();
        for (String m : methodList) {
            methods.add(m.toUpperCase(Locale.ROOT));
        }
        if (methods.contains("POST") || methods.contains("PATCH")) {
            throw r.error("methods", "POST and PATCH are not idempotent; use idempotent-post: true, which retries"
                    + " them only when the request carries an Idempotency-Key");
        }
        ConfigNode budget = r.object("budget");
        Retry retry = new Retry(
                r.integer("attempts", dr.attempts(), 1, 10),
                r.duration("backoff-base", dr.backoffBase()),
                r.duration("backoff-max", dr.backoffMax()),
                methods.isEmpty() ? dr.methods() : Set.copyOf(methods),
                r.bool("idempotent-post", dr.idempotentPost()),
                r.integer("max-replay-body", dr.maxReplayBody(), 0, 16 * 1024 * 1024),
                budget.integer("percent", (int) Math.round(dr.budgetRatio() * 100), 0, 100) / 100.0,
                budget.integer("min-per-second", dr.budgetMinPerSecond(), 0, 100_000));
        budget.rejectUnknownKeys();
        r.rejectUnknownKeys();

        ConfigNode b = node.object("circuit-breaker");
        Breaker db = d.breaker();
        Breaker breaker = new Breaker(
                b.bool("enabled", db.enabled()),
                b.integer("window", db.window(), 1, 10_000),
                b.integer("minimum-calls", db.minimumCalls(), 1, 10_000),
                b.integer("failure-rate", db.failureRate(), 1, 100),
                b.duration("open-for", db.openFor()),
                b.integer("half-open-probes", db.halfOpenProbes(), 1, 100));
        if (breaker.minimumCalls() > breaker.window()) {
            throw b.error("minimum-calls", "must not exceed window (" + breaker.window() + ")");
        }
        b.rejectUnknownKeys();

        ConfigNode bh = node.object("bulkhead");
        Bulkhead bulkhead = new Bulkhead(
                bh.integer("max-concurrent", d.bulkhead().maxConcurrent(), 1, 1_000_000),
                bh.integer("queue", d.bulkhead().queue(), 0, 1_000_000));
        bh.rejectUnknownKeys();

        ConfigNode o = node.object("outlier-ejection");
        Outlier outlier = new Outlier(
                o.integer("consecutive-failures", d.outlier().consecutiveFailures(), 1, 1000),
                o.duration("base-ejection", d.outlier().baseEjection()),
                o.duration("max-ejection", d.outlier().maxEjection()),
                o.integer("max-ejected-percent", d.outlier().maxEjectedPercent(), 0, 100));
        o.rejectUnknownKeys();

        HealthCheck hc = null;
        if (node.has("health-check")) {
            ConfigNode h = node.object("health-check");
            String path = h.requiredString("path");
            if (!path.startsWith("/")) {
                throw h.error("path", "must start with '/' (was '" + path + "')");
            }
            hc = new HealthCheck(path, h.duration("interval", Duration.ofSeconds(5)),
                    h.duration("timeout", Duration.ofSeconds(1)),
                    h.integer("healthy-threshold", 2, 1, 100), h.integer("unhealthy-threshold", 3, 1, 100));
            h.rejectUnknownKeys();
        }
        node.rejectUnknownKeys();
        return new ResilienceConfig(deadline, retry, breaker, bulkhead, outlier, hc, FailureScope.UPSTREAM);
    }
}
