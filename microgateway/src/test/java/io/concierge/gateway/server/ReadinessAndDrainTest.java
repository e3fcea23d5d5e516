package io.concierge.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * {@code /health/ready} on the admin port (ready once registered, not ready while draining, beside
 * {@code /health/live}) and the {@code shutdown} section's validation. Draining under load with real
 * processes and SIGTERM: the edge's {@code GatewayDrainIT}.
 */
class ReadinessAndDrainTest {
    private final Resources resources = new Resources();

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    private static GatewayConfig config(String shutdown, int upstreamPort) {
        return GatewayConfig.parse("test.yaml", TestGateways.oneRouteYaml("", "", upstreamPort) + shutdown, k -> null);
    }

    @Test
    void readyOnceRegisteredThenNotReadyWhileDrainingButStillServing() throws Exception {
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        MemoryDiscovery discovery = new MemoryDiscovery();
        GatewayServer g = resources.track(GatewayServer.start(
                config("shutdown: {drain: 0s, grace-period: 1s}\n", upstream.port()), discovery));
        assertEquals(1, discovery.snapshot().size(), "registered");
        WireResponse ready = WireClient.exchange(g.adminPort(), "GET", "/health/ready");
        assertEquals(200, ready.status());
        assertEquals("{\"status\":\"UP\"}", ready.bodyText());
        assertEquals("no-store", ready.header("Cache-Control"));

        g.drain();
        WireResponse draining = WireClient.exchange(g.adminPort(), "GET", "/health/ready");
        assertEquals(503, draining.status());
        assertEquals("{\"status\":\"DOWN\",\"reason\":\"draining\"}", draining.bodyText());
        assertEquals(List.of(), discovery.snapshot(), "deregistered by the drain");
        assertEquals(200, WireClient.exchange(g.adminPort(), "GET", "/health/live").status(), "still live");
        assertEquals(200, WireClient.exchange(g.port(), "GET", "/api/x").status(), "still serving while it drains");
    }

    @Test
    void shutdownSectionIsValidated() {
        assertEquals(Duration.ofSeconds(7), config("shutdown: {drain: 7s}\n", 1).shutdown().drain());
        assertEquals(Duration.ZERO, config("", 1).shutdown().drain(), "no drain unless configured");
        assertEquals(Duration.ofSeconds(5), config("", 1).shutdown().gracePeriod());
        ConfigException bad = assertThrows(ConfigException.class, () -> config("shutdown: {drain: soon}\n", 1));
        assertTrue(bad.getMessage().contains("test.yaml") && bad.getMessage().contains("shutdown.drain"), bad.getMessage());
        ConfigException tooLong = assertThrows(ConfigException.class, () -> config("shutdown: {grace-period: 10m}\n", 1));
        assertTrue(tooLong.getMessage().contains("shutdown.grace-period"), tooLong.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> config("shutdown: {drian: 5s}\n", 1));
        assertTrue(unknown.getMessage().contains("drian"), unknown.getMessage());
    }
}
