package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.resilience.ResilienceConfig;

/** The edge's {@code upstream.retry} and {@code upstream.ejection}: safe defaults on, errors naming file and path. */
class EdgeFailoverConfigTest {
    private static EdgeConfig parse(String yaml) {
        return EdgeConfig.parse("edge.yaml", yaml, k -> null);
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void defaultsRetryIdempotentRequestsAndEjectOnRefusal() {
        ResilienceConfig f = parse("listen: {port: 0}\n").failover();
        assertEquals(ResilienceConfig.FailureScope.CONNECTION, f.failures());
        assertEquals(3, f.retry().attempts());
        assertEquals(Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE"), f.retry().methods());
        assertEquals(65536, f.retry().maxReplayBody());
        assertEquals(0.2, f.retry().budgetRatio());
        assertEquals(10, f.retry().budgetMinPerSecond());
        assertEquals(Duration.ZERO, f.retry().backoffBase());
        assertEquals(new ResilienceConfig.Outlier(1, Duration.ofSeconds(1), Duration.ofSeconds(30), 100), f.outlier());
        assertEquals(false, f.breaker().enabled());
        assertNull(f.bulkhead());
        // The deadline of all tries is the read timeout.
        assertEquals(Duration.ofSeconds(30), f.deadline());
        assertEquals(Duration.ofSeconds(5), parse("upstream: {timeouts: {read: 5s}}\n").failover().deadline());
    }

    @Test
    void everySettingIsRead() {
        ResilienceConfig f = parse("upstream:\n  retry: {attempts: 1, methods: [get, head], max-replay-body: 0,"
                + " budget: {percent: 5, min-per-second: 1}}\n  ejection: {base: 250ms, max: 10s}\n").failover();
        assertEquals(1, f.retry().attempts());
        assertEquals(Set.of("GET", "HEAD"), f.retry().methods());
        assertEquals(0, f.retry().maxReplayBody());
        assertEquals(0.05, f.retry().budgetRatio());
        assertEquals(1, f.retry().budgetMinPerSecond());
        assertEquals(Duration.ofMillis(250), f.outlier().baseEjection());
        assertEquals(Duration.ofSeconds(10), f.outlier().maxEjection());
        assertEquals(Set.of(), parse("upstream: {retry: {methods: []}}\n").failover().retry().methods());
    }

    @Test
    void errorsNameFileAndPath() {
        assertEquals("edge.yaml: upstream.retry.methods: 'POST' cannot be retried by the edge; allowed: GET, HEAD,"
                + " OPTIONS, PUT, DELETE (the idempotent methods of RFC 9110)",
                error("upstream: {retry: {methods: [GET, POST]}}\n"));
        assertEquals("edge.yaml: upstream.retry.attempts: must be between 1 and 10 (was 0)",
                error("upstream: {retry: {attempts: 0}}\n"));
        assertEquals("edge.yaml: upstream.retry.budget.percent: must be between 0 and 100 (was 150)",
                error("upstream: {retry: {budget: {percent: 150}}}\n"));
        assertEquals("edge.yaml: upstream.ejection.max: must not be shorter than base (2m)",
                error("upstream: {ejection: {base: 2m, max: 1m}}\n"));
        assertEquals("edge.yaml: upstream.retry.tries: unknown key (known keys here: attempts, budget, max-replay-body,"
                + " methods)", error("upstream: {retry: {tries: 2}}\n"));
        assertEquals("edge.yaml: upstream.ejection.for: unknown key (known keys here: base, max)",
                error("upstream: {ejection: {for: 2s}}\n"));
    }
}
