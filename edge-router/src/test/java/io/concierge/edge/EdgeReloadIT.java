package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.reload.ReloadResult;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.SteadyLoad;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.helidon.webserver.WebServer;

/**
 * Reloads seen across the mesh: a gateway's prefix change reaches the edge's dispatch table through
 * the real (Hazelcast) registry; the edge reloads its own edge.yaml behind the same admin rules.
 */
class EdgeReloadIT {
    private static final String TOKEN = "edge-reload-token";
    private static final String BEARER = "Authorization: Bearer " + TOKEN;
    private static final String EDGE_YAML = "listen: {host: 127.0.0.1, port: 0}\nadmin: {host: 127.0.0.1, port: 0}\n";

    @TempDir
    Path dir;

    private final MeshFixture mesh = new MeshFixture();

    @AfterEach
    void close() {
        mesh.close();
    }

    private Path write(String name, String text) throws IOException {
        Path tmp = Files.writeString(dir.resolve(name + ".tmp"), text);
        return Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String gatewayYaml(int upstreamPort, String... prefixes) {
        StringBuilder routes = new StringBuilder();
        for (int i = 0; i < prefixes.length; i++) {
            routes.append("  - id: r").append(i).append("\n    match: {path: ").append(prefixes[i])
                    .append("/**}\n    service: svc\n");
        }
        return "domain: shop\n"
                + "prefixes: [" + String.join(", ", prefixes) + "]\n"
                + "services:\n  svc:\n    instances:\n      - url: http://127.0.0.1:" + upstreamPort + "\n"
                + "routes:\n" + routes;
    }

    private static WireResponse reload(int adminPort, String... headers) throws IOException {
        try (WireClient c = WireClient.connect(adminPort)) {
            String[] lines = new String[headers.length + 1];
            System.arraycopy(headers, 0, lines, 0, headers.length);
            lines[headers.length] = "Content-Length: 0";
            c.send(c.head("POST", "/admin/reload", lines));
            return c.readResponse();
        }
    }

    private EdgeServer edgeFromFile(Path file, String token) {
        EdgeServer e = EdgeServer.start(EdgeConfig.load(file, k -> k.equals("ADMIN_TOKEN") ? token : null),
                new MemoryDiscovery());
        return track(e);
    }

    private <T extends AutoCloseable> T track(T t) {
        mesh.track(t);
        return t;
    }

    @Test
    void aGatewaysPrefixChangeIsSeenByTheEdge() throws Exception {
        MeshFixture.Member member = mesh.member("shop-1");
        WebServer upstream = mesh.upstream("svc");
        Path file = write("gateway.yaml", gatewayYaml(upstream.port(), "/api/shop"));
        GatewayServer g = track(GatewayServer.start(GatewayConfig.load(file, k -> null), member.registry()));
        EdgeServer edge = mesh.edge(mesh.member("edge-1"));
        Poll.until("the edge routes /api/shop", Duration.ofSeconds(15),
                () -> mesh.get(edge.port(), "/api/shop/1").statusCode() == 200);
        assertEquals(404, mesh.get(edge.port(), "/api/more/1").statusCode());

        write("gateway.yaml", gatewayYaml(upstream.port(), "/api/shop", "/api/more"));
        assertEquals(ReloadResult.APPLIED, g.reloads().reload("test").result());

        Poll.until("the edge routes the new prefix /api/more", Duration.ofSeconds(10),
                () -> mesh.get(edge.port(), "/api/more/1").statusCode() == 200);
        assertEquals("svc /api/more/1", mesh.get(edge.port(), "/api/more/1").body());
        assertEquals(200, mesh.get(edge.port(), "/api/shop/1").statusCode());
    }

    @Test
    void theEdgeReloadsItsLimitsWithTheAdminToken() throws Exception {
        EdgeServer edge = edgeFromFile(write("edge.yaml", EDGE_YAML), TOKEN);
        for (int i = 0; i < 5; i++) {
            assertEquals(404, WireClient.exchange(edge.port(), "GET", "/api/x").status());
        }
        write("edge.yaml", EDGE_YAML + """
                rate-limits:
                  - {name: api, key: client-ip, limit: 2, window: 1m, mode: strict}
                """);
        assertEquals(401, reload(edge.adminPort(), "Authorization: Bearer nope").status());
        WireResponse r = reload(edge.adminPort(), BEARER);
        assertEquals(200, r.status(), r.bodyText());
        assertEquals("applied", r.json().path("result").asText());
        assertEquals(404, WireClient.exchange(edge.port(), "GET", "/api/x").status());
        assertEquals(404, WireClient.exchange(edge.port(), "GET", "/api/x").status());
        assertEquals(429, WireClient.exchange(edge.port(), "GET", "/api/x").status(), "the new limit applies");

        JsonNode config = WireClient.exchange(edge.adminPort(), "GET", "/admin/config").json();
        assertEquals(2, config.path("generation").asInt());
        assertTrue(config.path("sha256").asText().matches("[0-9a-f]{64}"));
        PrometheusScrape m = new PrometheusScrape(WireClient.exchange(edge.adminPort(), "GET", "/metrics").bodyText());
        assertEquals(1.0, m.value("concierge_config_reloads_total", "result", "applied"));
    }

    @Test
    void theEdgeKeepsItsConfigurationOnAnInvalidOrRestartOnlyEdit() throws Exception {
        Path file = write("edge.yaml", EDGE_YAML);
        EdgeServer edge = edgeFromFile(file, TOKEN);
        write("edge.yaml", EDGE_YAML + "upstream: {timeouts: {read: soon}}\n");
        WireResponse invalid = reload(edge.adminPort(), BEARER);
        assertEquals(422, invalid.status(), invalid.bodyText());
        assertEquals("application/problem+json", invalid.header("Content-Type"));
        assertTrue(invalid.json().path("detail").asText().startsWith(file + ": upstream.timeouts.read: "),
                invalid.json().path("detail").asText());

        write("edge.yaml", EDGE_YAML.replace("admin: {host: 127.0.0.1, port: 0}", "admin: {host: 127.0.0.1, port: 19999}"));
        WireResponse refused = reload(edge.adminPort(), BEARER);
        assertEquals(409, refused.status(), refused.bodyText());
        assertEquals(file + ": changing admin (running 127.0.0.1:0, file 127.0.0.1:19999) needs a restart; "
                + "the running configuration stays", refused.json().path("detail").asText());
        JsonNode config = WireClient.exchange(edge.adminPort(), "GET", "/admin/config").json();
        assertEquals(1, config.path("generation").asInt());
        assertEquals("refused", config.path("lastReload").path("result").asText());
    }

    @Test
    void edgeReloadsUnderSteadyLoadFailNoRequest() throws Exception {
        MeshFixture.Member member = mesh.member("shop-3");
        WebServer upstream = mesh.upstream("svc");
        mesh.gateway(member, "shop", List.of("/api/shop"), upstream);
        Path file = write("edge.yaml", EDGE_YAML);
        EdgeServer edge = track(EdgeServer.start(EdgeConfig.load(file, k -> null), mesh.member("edge-3").registry()));
        Poll.until("the edge routes /api/shop", Duration.ofSeconds(15),
                () -> mesh.get(edge.port(), "/api/shop/1").statusCode() == 200);
        SteadyLoad load = SteadyLoad.start("edge-load", edge.port(), 3, i -> "/api/shop/" + i);
        try {
            // Each reload changes the dispatch settings, so every domain's group is rebuilt under load.
            for (String read : List.of("21s", "22s", "23s")) {
                load.awaitProgress("requests flowing before the reload", 30, Duration.ofSeconds(10));
                write("edge.yaml", EDGE_YAML + "upstream: {timeouts: {read: " + read + "}}\n");
                assertEquals(ReloadResult.APPLIED, edge.reloads().reload("test").result());
            }
            load.awaitProgress("requests flowing after the reloads", 30, Duration.ofSeconds(10));
        } finally {
            load.close();
        }
        assertTrue(load.failures().isEmpty(), load.summary());
    }

    @Test
    void withoutAnAdminTokenTheEdgeRefusesReloads() throws Exception {
        EdgeServer edge = edgeFromFile(write("edge.yaml", EDGE_YAML), null);
        WireResponse r = reload(edge.adminPort(), BEARER);
        assertEquals(403, r.status());
        assertEquals("application/problem+json", r.header("Content-Type"));
    }

    @Test
    void changedUpstreamSettingsRebuildTheDomainsGroupsUnchangedOnesKeepThem() throws Exception {
        MeshFixture.Member member = mesh.member("shop-2");
        WebServer upstream = mesh.upstream("svc");
        GatewayServer g = mesh.gateway(member, "shop", List.of("/api/shop"), upstream);
        Path file = write("edge.yaml", EDGE_YAML);
        EdgeServer edge = track(EdgeServer.start(EdgeConfig.load(file, k -> null), mesh.member("edge-2").registry()));
        Poll.until("the edge routes /api/shop", Duration.ofSeconds(15),
                () -> mesh.get(edge.port(), "/api/shop/1").statusCode() == 200);
        var before = edge.dispatchTarget("shop");

        write("edge.yaml", EDGE_YAML + "protection: {max-body-size: 64KB}\n");
        assertEquals(ReloadResult.APPLIED, edge.reloads().reload("test").result());
        assertSame(before, edge.dispatchTarget("shop"), "dispatch settings unchanged: same pools and failover");

        write("edge.yaml", EDGE_YAML + "upstream: {timeouts: {read: 20s}}\n");
        assertEquals(ReloadResult.APPLIED, edge.reloads().reload("test").result());
        var after = edge.dispatchTarget("shop");
        assertTrue(after != before && after.group().instances().size() == 1, "rebuilt over the same instance");
        assertEquals(200, mesh.get(edge.port(), "/api/shop/1").statusCode());
        assertTrue(g.port() > 0);
    }
}
