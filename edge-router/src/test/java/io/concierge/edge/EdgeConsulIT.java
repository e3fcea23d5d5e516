package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.consul.testing.ConsulAgentStandIn;
import io.concierge.consul.testing.ConsulTestSettings;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.DiscoveryConfig;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.Resources;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;

/**
 * The mesh on Consul, configured as in production ({@code discovery: {type: consul}} in gateway.yaml
 * and edge.yaml, the provider found through ServiceLoader) against the Consul agent stand-in: the
 * agent's HTTP checks poll the gateways' real admin /health, the edge follows the passing instances
 * with a blocking query (wait 30 s).
 */
class EdgeConsulIT {
    private static final Duration BOUND = Duration.ofSeconds(20); // below the watch's 30 s wait
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Resources resources = new Resources();
    private final ConsulAgentStandIn agent = resources.track(ConsulAgentStandIn.start());

    @AfterEach
    void closeAll() {
        try {
            resources.close();
        } catch (Exception ignored) {
            // Best effort, as before: all were closed, and a failure to stop one does not fail the test.
        }
        http.close();
    }

    @Test
    void aGatewayThatDiesOrStopsLeavesTheEdgesTable() {
        WebServer upstreamA = upstream("a");
        WebServer upstreamB = upstream("b");
        java.util.concurrent.atomic.AtomicBoolean crashA = new java.util.concurrent.atomic.AtomicBoolean();
        GatewayServer gatewayA = gateway(upstreamA, crashA);
        GatewayServer gatewayB = gateway(upstreamB, new java.util.concurrent.atomic.AtomicBoolean());
        EdgeConfig edgeConfig = EdgeConfig.parse("edge.yaml", "listen: {port: 0}\nadmin: {port: 0}\n"
                + ConsulTestSettings.discoveryYaml(agent.address()), k -> null);
        assertEquals(DiscoveryConfig.Type.PROVIDED, edgeConfig.discovery().type());
        Discovery edgeDiscovery = resources.track(edgeConfig.discovery().provided().open());
        EdgeServer edge = resources.track(EdgeServer.start(edgeConfig, edgeDiscovery));

        Poll.until("the edge sees both shop gateways", BOUND, () -> Map.of("shop", 2).equals(edge.liveInstances()));
        Poll.until("both gateways serve through the edge", BOUND,
                () -> served(edge, "a") && served(edge, "b"));
        assertTrue(get(edge.adminPort(), "/health").body().contains("\"type\":\"consul\""));

        // Gateway A dies: its listeners are gone but, as after a crash, its registration is not
        // (its deregistration never reaches Consul). The check on /health/live turns critical and
        // the edge drops A from its table; every request now goes to B.
        crashA.set(true);
        gatewayA.close();
        Poll.until("A's check is critical", BOUND, () -> "critical".equals(agent.checkStatus(gatewayA.instanceId())));
        Poll.until("the edge dropped A", BOUND, () -> Map.of("shop", 1).equals(edge.liveInstances()));
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = get(edge.port(), "/api/shop/x");
            assertEquals(200, r.statusCode());
            assertEquals("b /api/shop/x", r.body());
        }

        // Gateway B stops gracefully: it deregisters, and the domain has no instance left (503).
        gatewayB.close();
        Poll.until("the edge dropped B", BOUND, () -> edge.liveInstances().isEmpty());
        assertEquals(503, get(edge.port(), "/api/shop/x").statusCode());
        assertEquals(List.of(gatewayA.instanceId()), agent.serviceIds());
    }

    private boolean served(EdgeServer edge, String name) {
        for (int i = 0; i < 4; i++) {
            if (get(edge.port(), "/api/shop/x").body().equals(name + " /api/shop/x")) {
                return true;
            }
        }
        return false;
    }

    /** @param crashed once true, the gateway's deregistration is lost, as when its process dies */
    private GatewayServer gateway(WebServer upstream, java.util.concurrent.atomic.AtomicBoolean crashed) {
        String yaml = "domain: shop\nprefixes: [/api/shop]\n"
                + "listen: {host: 127.0.0.1, port: 0}\nadmin: {host: 127.0.0.1, port: 0}\n"
                + ConsulTestSettings.discoveryYaml(agent.address())
                + "services:\n  svc:\n    instances:\n      - url: http://127.0.0.1:" + upstream.port() + "\n"
                + "routes:\n  - id: all\n    match: {path: /api/shop/**}\n    service: svc\n";
        GatewayConfig config = GatewayConfig.parse("shop.yaml", yaml, k -> null);
        Discovery consul = resources.track(config.discovery().provided().open());
        Discovery discovery = new Discovery() {
            @Override
            public void register(io.concierge.gateway.discovery.Registration registration) {
                consul.register(registration);
            }

            @Override
            public void deregister(String instanceId) {
                if (!crashed.get()) {
                    consul.deregister(instanceId);
                }
            }

            @Override
            public List<io.concierge.gateway.discovery.Registration> snapshot() {
                return consul.snapshot();
            }

            @Override
            public void watch(java.util.function.Consumer<List<io.concierge.gateway.discovery.Registration>> l) {
                consul.watch(l);
            }

            @Override
            public Map<String, Object> describe() {
                return consul.describe();
            }

            @Override
            public void close() {
                // the real one is closed with the test's resources
            }
        };
        return resources.track(GatewayServer.start(config, discovery));
    }

    private WebServer upstream(String name) {
        WebServer s = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.any((req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "text/plain");
                    res.send(name + " " + req.prologue().uriPath().rawPath());
                }))
                .build().start();
        resources.track(() -> {
            if (s.isRunning()) {
                s.stop();
            }
        });
        return s;
    }

    private HttpResponse<String> get(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
