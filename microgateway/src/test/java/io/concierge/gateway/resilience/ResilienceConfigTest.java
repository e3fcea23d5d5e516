package io.concierge.gateway.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.domainconfig.GatewayConfig;

class ResilienceConfigTest {
    private static String yaml(String resilience) {
        return "domain: t\nprefixes: [/api]\nservices:\n  svc:\n    instances: [{url: 'http://127.0.0.1:1'}]\n"
                + "    resilience:\n" + resilience
                + "routes:\n  - {id: r, match: {path: /api/**}, service: svc}\n";
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> GatewayConfig.parse("g.yaml", yaml, k -> null)).getMessage();
    }

    @Test
    void defaultsApplyWhenTheSectionIsAbsent() {
        GatewayConfig c = GatewayConfig.parse("g.yaml", "domain: t\nprefixes: [/api]\nservices:\n  svc:\n"
                + "    instances: [{url: 'http://127.0.0.1:1'}]\nroutes:\n  - {id: r, match: {path: /api/**}, service: svc}\n",
                k -> null);
        ResilienceConfig r = c.services().get("svc").resilience();
        assertEquals(2, r.retry().attempts());
        assertEquals(0.2, r.retry().budgetRatio());
        assertEquals(50, r.breaker().failureRate());
    }

    @Test
    void unknownKeysNameTheirPath() {
        assertEquals("g.yaml: services.svc.resilience.retry.tries: unknown key (known keys here: attempts, backoff-base,"
                        + " backoff-max, budget, idempotent-post, max-replay-body, methods)",
                error(yaml("      retry: {tries: 3}\n")));
    }

    @Test
    void postCannotBeListedAsRetryable() {
        assertEquals("g.yaml: services.svc.resilience.retry.methods: POST and PATCH are not idempotent; use"
                        + " idempotent-post: true, which retries them only when the request carries an Idempotency-Key",
                error(yaml("      retry: {methods: [GET, POST]}\n")));
    }

    @Test
    void minimumCallsCannotExceedTheWindow() {
        assertEquals("g.yaml: services.svc.resilience.circuit-breaker.minimum-calls: must not exceed window (5)",
                error(yaml("      circuit-breaker: {window: 5, minimum-calls: 6}\n")));
    }

    @Test
    void badDurationsAreRefused() {
        assertEquals("g.yaml: services.svc.resilience.deadline: bad duration 'soon' (use a whole number with ms, s, m or h,"
                + " e.g. 250ms or 5s)", error(yaml("      deadline: soon\n")));
    }
}
