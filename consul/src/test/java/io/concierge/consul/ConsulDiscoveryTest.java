package io.concierge.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.consul.testing.ConsulAgentStandIn;
import io.concierge.consul.testing.ConsulTestSettings;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireUpstream;

/** Registration, deregistration and the blocking-query watch against the Consul agent stand-in, on real sockets. */
class ConsulDiscoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BOUND = Duration.ofSeconds(15); // well below the 30 s wait of the watch
    private final Resources resources = new Resources();

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    @Test
    void aGatewayRegistersWithItsHealthCheckAndDeregistersOnShutdown() throws Exception {
        ConsulAgentStandIn agent = resources.track(ConsulAgentStandIn.builder().aclToken("gw-token").datacenter("eu1")
                .start());
        WireUpstream upstream = resources.track(WireUpstream.start());
        ConsulDiscovery discovery = resources.track(new ConsulDiscovery(ConsulTestSettings.settings(agent.address(),
                "token: gw-token\ndatacenter: eu1\nnamespace: shop\ntags: [blue]")));
        GatewayServer gateway = GatewayServer.start(GatewayConfig.parse("test.yaml",
                TestGateways.oneRouteYaml("", "", upstream.port()).replace("domain: test", "domain: test\nversion: \"7\""),
                k -> null), discovery);
        boolean closed = false;
        try {
            ConsulAgentStandIn.Request put = agent.requests().stream()
                    .filter(r -> r.path().equals("/v1/agent/service/register")).findFirst().orElseThrow();
            assertEquals("PUT", put.method());
            assertEquals("gw-token", put.token());
            assertEquals(Map.of("ns", "shop"), put.query());
            Map<String, Object> body = JSON.readValue(put.body(), new TypeReference<>() { });
            Map<String, Object> expected = new java.util.LinkedHashMap<>();
            expected.put("ID", gateway.instanceId());
            expected.put("Name", "concierge-gateway");
            expected.put("Tags", List.of("concierge", "test", "blue"));
            expected.put("Address", "127.0.0.1");
            expected.put("Port", gateway.port());
            expected.put("Meta", Map.of(
                    "concierge-domain", "test",
                    "concierge-prefixes", "[\"/api\"]",
                    "concierge-admin-port", String.valueOf(gateway.adminPort()),
                    // Set when the gateway started; checked for shape below.
                    "concierge-registered-at", ((Map<?, ?>) body.get("Meta")).get("concierge-registered-at"),
                    "version", "7",
                    // The gateway's start time (epoch ms), beside its config version (issue 18).
                    "startedAt", gateway.registration().metadata().get("startedAt")));
            expected.put("EnableTagOverride", false);
            expected.put("Check", Map.of(
                    "CheckID", "service:" + gateway.instanceId(),
                    "Name", "Concierge gateway health",
                    "HTTP", "http://127.0.0.1:" + gateway.adminPort() + "/health/live",
                    "Method", "GET",
                    "Interval", "200ms",
                    "Timeout", "1s",
                    "DeregisterCriticalServiceAfter", "1m"));
            assertEquals(expected, body);
            assertTrue(Long.parseLong((String) ((Map<?, ?>) body.get("Meta")).get("concierge-registered-at")) > 0);

            // The agent's check polls the gateway's real admin /health/live and passes.
            Poll.until("the gateway's check passes", BOUND, () -> "passing".equals(agent.checkStatus(gateway.instanceId())));
            // ... and the watch, a blocking query, sees it pass (a moment after the agent does).
            Poll.until("the watch sees the passing instance", BOUND, () -> discovery.snapshot().size() == 1);
            List<Registration> seen = discovery.snapshot();
            assertEquals(1, seen.size());
            Registration r = seen.get(0);
            assertEquals(gateway.instanceId(), r.instanceId());
            assertEquals("test", r.domain());
            assertEquals(List.of("/api"), r.prefixes());
            assertEquals(gateway.port(), r.port());
            assertEquals(gateway.adminPort(), r.adminPort());
            assertEquals(Map.of("version", "7", "startedAt", gateway.registration().metadata().get("startedAt")),
                    r.metadata());
            assertTrue(agent.requests().stream().filter(q -> q.path().startsWith("/v1/health/"))
                    .allMatch(q -> "eu1".equals(q.query().get("dc")) && "shop".equals(q.query().get("ns"))
                            && q.query().containsKey("passing") && "gw-token".equals(q.token())));

            gateway.close();
            closed = true;
            assertTrue(agent.requests().stream().anyMatch(q -> q.method().equals("PUT")
                    && q.path().equals("/v1/agent/service/deregister/" + gateway.instanceId())));
            assertEquals(List.of(), agent.serviceIds());
            assertEquals(1, discovery.stats().deregistrations());
        } finally {
            if (!closed) {
                gateway.close();
            }
        }
    }

    @Test
    void aChangeArrivesWithinOneWaitAndAFailingInstanceLeaves() {
        ConsulAgentStandIn agent = resources.track(ConsulAgentStandIn.start());
        WireUpstream healthA = resources.track(WireUpstream.start(r -> UpstreamReply.text(200, "UP")));
        WireUpstream healthB = resources.track(WireUpstream.start(r -> UpstreamReply.text(200, "UP")));
        ConsulDiscovery gateways = resources.track(new ConsulDiscovery(
                ConsulTestSettings.settings(agent.address(), "")));
        ConsulDiscovery edge = resources.track(new ConsulDiscovery(ConsulTestSettings.settings(agent.address(), "")));
        List<List<Registration>> calls = new CopyOnWriteArrayList<>();
        edge.watch(calls::add);

        gateways.register(registration("a", healthA.port()));
        Poll.until("the watch saw instance a", BOUND, () -> ids(last(calls)).equals(List.of("a")));
        // The watch is now blocked on the agent with wait=30s; the next change must end that early.
        long queriesBefore = edge.stats().watchQueries();
        gateways.register(registration("b", healthB.port()));
        Poll.until("the watch saw instance b well within one wait", BOUND, () -> ids(last(calls)).equals(List.of("a", "b")));
        assertTrue(edge.stats().watchQueries() > queriesBefore);
        assertEquals(List.of("a", "b"), ids(edge.snapshot()));

        // b's health endpoint starts failing: the check turns critical, b is no longer passing.
        healthB.respondWith(r -> UpstreamReply.status(503));
        Poll.until("b left the passing set", BOUND, () -> ids(last(calls)).equals(List.of("a")));
        assertEquals("critical", agent.checkStatus("b"));
        assertEquals(0, edge.stats().watchErrors());
        for (int i = 1; i < calls.size(); i++) {
            assertFalse(calls.get(i).equals(calls.get(i - 1)), "listeners hear only changes");
        }
    }

    @Test
    void theLastKnownSetServesWhileConsulIsDownAndARestartedAgentResetsTheIndex() {
        ConsulAgentStandIn first = ConsulAgentStandIn.start();
        int port = first.port();
        WireUpstream health = resources.track(WireUpstream.start(r -> UpstreamReply.text(200, "UP")));
        // A short wait: an agent that restarted without state answers an old index only when the
        // wait ends (Consul blocks until its index passes the one asked for).
        String extra = "watch: {wait: 1s, backoff-min: 50ms, backoff-max: 300ms}";
        ConsulDiscovery gateways = resources.track(new ConsulDiscovery(
                ConsulTestSettings.settings(first.address(), extra)));
        ConsulDiscovery edge = resources.track(new ConsulDiscovery(
                ConsulTestSettings.settings(first.address(), extra)));
        List<List<Registration>> calls = new CopyOnWriteArrayList<>();
        edge.watch(calls::add);
        gateways.register(registration("a", health.port()));
        // Push the first agent's index well above where a fresh agent starts.
        for (int i = 0; i < 5; i++) {
            gateways.register(registration("x" + i, health.port()));
            gateways.deregister("x" + i);
        }
        Poll.until("the watch saw a", BOUND, () -> ids(last(calls)).equals(List.of("a")));
        long indexBefore = edge.stats().index();
        assertTrue(indexBefore > 5, "index " + indexBefore);

        first.close();
        Poll.until("watch errors counted", BOUND, () -> edge.stats().watchErrors() >= 2);
        assertTrue(edge.stats().stale());
        assertEquals(List.of("a"), ids(edge.snapshot()), "the last known set keeps serving");
        assertEquals(List.of("a"), ids(last(calls)));
        assertEquals("STALE", edge.describe().get("status"));
        assertNotNull(edge.describe().get("staleSince"));
        // ... and counted in metrics, as /metrics shows them.
        io.concierge.gateway.telemetry.PrometheusText scrape = new io.concierge.gateway.telemetry.PrometheusText();
        io.concierge.gateway.telemetry.FeatureMetrics.discovery(edge).write(scrape);
        String text = scrape.toString();
        assertTrue(text.contains("\nconcierge_discovery_stale 1"), text);
        assertTrue(text.matches("(?s).*\nconcierge_discovery_stale_responses_total [1-9].*"), text);
        assertTrue(text.matches("(?s).*\nconcierge_discovery_watch_errors_total [1-9].*"), text);

        ConsulAgentStandIn second = resources.track(ConsulAgentStandIn.builder().port(port).start());
        // The gateway side notices that the new agent does not know it and registers again.
        Poll.until("a registered again on the restarted agent", BOUND,
                () -> "passing".equals(second.checkStatus("a")));
        Poll.until("counted as a re-registration", BOUND, () -> gateways.stats().reregistrations() >= 1);
        Poll.until("the watch reset its index and recovered", BOUND,
                () -> edge.stats().indexResets() >= 1 && !edge.stats().stale());
        assertTrue(edge.stats().index() < indexBefore, "index " + edge.stats().index() + " after reset");
        Poll.until("a is served from the new agent", BOUND, () -> ids(edge.snapshot()).equals(List.of("a")));
        assertEquals("OK", edge.describe().get("status"));
        assertNull(edge.describe().get("staleSince"));
    }

    @Test
    void aGatewayStartsWhileConsulIsDownAndRegistersOnceItIsUp() {
        int port = WireUpstream.closedPort();
        WireUpstream health = resources.track(WireUpstream.start(r -> UpstreamReply.text(200, "UP")));
        ConsulDiscovery gateways = resources.track(new ConsulDiscovery(
                ConsulTestSettings.settings("http://127.0.0.1:" + port, "")));
        gateways.register(registration("a", health.port())); // does not throw
        assertTrue(gateways.stats().registrationErrors() >= 1);
        assertEquals("REGISTERING", gateways.describe().get("status"));
        ConsulAgentStandIn agent = resources.track(ConsulAgentStandIn.builder().port(port).start());
        Poll.until("the keeper registered a", BOUND, () -> agent.serviceIds().equals(List.of("a")));
        // The agent has it before the answer reaches the gateway; the status follows the answer.
        Poll.until("the gateway knows it is registered", BOUND, () -> "OK".equals(gateways.describe().get("status")));
        assertEquals(1, gateways.stats().registrations());
    }

    /** A gateway listening on TLS registers {@code scheme: https}; the edge's watch reads it back from Consul's Meta. */
    @Test
    void theSchemeOfATlsGatewayRoundTripsThroughConsul() {
        ConsulAgentStandIn agent = resources.track(ConsulAgentStandIn.start());
        WireUpstream health = resources.track(WireUpstream.start(r -> UpstreamReply.text(200, "UP")));
        ConsulDiscovery gateways = resources.track(new ConsulDiscovery(ConsulTestSettings.settings(agent.address(), "")));
        ConsulDiscovery edge = resources.track(new ConsulDiscovery(ConsulTestSettings.settings(agent.address(), "")));
        gateways.register(new Registration("tls", "shop", List.of("/api/shop"), "127.0.0.1", 8443, health.port(), 42L,
                Map.of("version", "1", Registration.SCHEME, Registration.HTTPS)));
        Poll.until("the watch sees the TLS gateway", BOUND, () -> edge.snapshot().size() == 1);
        Registration seen = edge.snapshot().get(0);
        assertTrue(seen.https(), seen.metadata().toString());
        assertEquals(Map.of("version", "1", "scheme", "https"), seen.metadata());
    }

    @Test
    void retriesBackOffExponentiallyWithJitterUpToTheCap() {
        ConsulDiscovery d = resources.track(new ConsulDiscovery(ConsulTestSettings.settings("http://127.0.0.1:1",
                "watch: {backoff-min: 100ms, backoff-max: 1s}")));
        for (int failures = 0; failures < 40; failures++) {
            long step = Math.min(100L << Math.min(failures, 20), 1000L);
            for (int i = 0; i < 20; i++) {
                long ms = d.backoff(failures).toMillis();
                assertTrue(ms >= step / 2 && ms <= step, failures + " failures: " + ms + "ms");
            }
        }
    }

    private static Registration registration(String id, int adminPort) {
        return new Registration(id, "shop", List.of("/api/shop", "/api/cart"), "127.0.0.1", 1000 + adminPort % 1000,
                adminPort, 42L, Map.of("version", "1"));
    }

    private static List<Registration> last(List<List<Registration>> calls) {
        return calls.isEmpty() ? List.of() : calls.get(calls.size() - 1);
    }

    private static List<String> ids(List<Registration> rs) {
        return rs.stream().map(Registration::instanceId).toList();
    }
}
