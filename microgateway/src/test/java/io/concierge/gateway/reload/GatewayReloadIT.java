package io.concierge.gateway.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.SteadyLoad;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * Reloading a running gateway's gateway.yaml (docs/operations.md, "Reloading the configuration"):
 * real gateways started from real files, real upstreams, the admin endpoint over a socket.
 */
class GatewayReloadIT {
    private static final String TOKEN = "reload-test-token";
    private static final String BEARER = "Authorization: Bearer " + TOKEN;

    @TempDir
    Path dir;

    private final Resources resources = new Resources();

    @AfterEach
    void close() throws Exception {
        resources.close();
    }

    /** A gateway owning /api, service {@code up} on {@code port}, one route per entry of {@code routes}. */
    private static String yaml(String version, int port, String... routes) {
        return yaml(true, version, port, routes);
    }

    /** The same, each route with a limit of 5 per X-Client in 10 minutes when {@code limited}. */
    private static String yaml(boolean limited, String version, int port, String... routes) {
        StringBuilder r = new StringBuilder();
        for (String route : routes) {
            r.append("  - id: ").append(route).append('\n')
                    .append("    match: {path: /api/").append(route).append("/**}\n")
                    .append("    service: up\n");
            if (limited) {
                r.append("    rate-limits:\n")
                        .append("      - {name: ").append(route).append("-limit, key: header:X-Client, limit: 5, ")
                        .append("window: 10m, mode: strict}\n");
            }
        }
        return """
                domain: shop
                version: "%s"
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                services:
                  up:
                    instances:
                      - url: http://127.0.0.1:%d
                routes:
                %s""".formatted(version, port, r);
    }

    private Path write(String yaml) {
        try {
            Path file = dir.resolve("gateway.yaml");
            // Written aside and renamed over the file, as editors and deploy tools do.
            Path tmp = Files.writeString(dir.resolve("gateway.yaml.tmp"), yaml);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private GatewayServer start(String yaml, String token, MemoryDiscovery discovery) {
        Path file = write(yaml);
        GatewayConfig config = GatewayConfig.load(file, k -> k.equals("ADMIN_TOKEN") ? token : System.getenv(k));
        return resources.track(GatewayServer.start(config, discovery));
    }

    private GatewayServer start(String yaml) {
        return start(yaml, TOKEN, resources.track(new MemoryDiscovery()));
    }

    private static WireResponse reload(GatewayServer g, String... headers) throws IOException {
        try (WireClient c = WireClient.connect(g.adminPort())) {
            List<String> lines = new ArrayList<>(List.of(headers));
            lines.add("Content-Length: 0");
            c.send(c.head("POST", "/admin/reload", lines.toArray(String[]::new)));
            return c.readResponse();
        }
    }

    private static int get(GatewayServer g, String path, String... headers) throws IOException {
        return WireClient.exchange(g.port(), "GET", path, headers).status();
    }

    private static PrometheusScrape metrics(GatewayServer g) throws IOException {
        return new PrometheusScrape(WireClient.exchange(g.adminPort(), "GET", "/metrics").bodyText());
    }

    private static JsonNode configSection(GatewayServer g) throws IOException {
        return WireClient.exchange(g.adminPort(), "GET", "/admin/config").json();
    }

    @Test
    void adminTokenRulesGuardTheReload() throws Exception {
        WireUpstream up = resources.track(WireUpstream.start());
        GatewayServer g = start(yaml("1", up.port(), "a"));
        assertEquals(401, reload(g).status());
        assertEquals(401, reload(g, "Authorization: Bearer wrong").status());
        WireResponse ok = reload(g, BEARER);
        assertEquals(200, ok.status(), ok.bodyText());
        assertEquals("unchanged", ok.json().path("result").asText());

        MemoryDiscovery other = resources.track(new MemoryDiscovery());
        Path second = dir.resolve("second");
        Files.createDirectories(second);
        Path file = Files.writeString(second.resolve("gateway.yaml"), yaml("1", up.port(), "a"));
        GatewayServer noToken = resources.track(GatewayServer.start(GatewayConfig.load(file, k -> null), other));
        WireResponse forbidden = reload(noToken, BEARER);
        assertEquals(403, forbidden.status());
        assertEquals("application/problem+json", forbidden.header("Content-Type"));
    }

    @Test
    void anInvalidEditIsKeptOutReportedAndCounted() throws Exception {
        WireUpstream up = resources.track(WireUpstream.start());
        GatewayServer g = start(yaml("1", up.port(), "a"));
        Path file = write(yaml("2", up.port(), "a").replace("service: up", "service: nowhere"));

        WireResponse r = reload(g, BEARER);
        assertEquals(422, r.status(), r.bodyText());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals(file + ": routes[0].service: unknown service 'nowhere' (services: up)",
                r.json().path("detail").asText());
        assertEquals("invalid", r.json().path("result").asText());

        assertEquals(200, get(g, "/api/a/x"), "the running configuration still serves");
        JsonNode config = configSection(g);
        assertEquals("1", config.path("version").asText());
        assertEquals(1, config.path("generation").asInt());
        assertEquals("invalid", config.path("lastReload").path("result").asText());
        assertEquals(r.json().path("detail").asText(), config.path("lastReload").path("error").asText());
        assertEquals(1.0, metrics(g).value("concierge_config_reloads_total", "result", "invalid"));
        assertEquals(0.0, metrics(g).value("concierge_config_reloads_total", "result", "applied"));
    }

    @Test
    void whatNeedsARestartIsRefusedWithTheReason() throws Exception {
        WireUpstream up = resources.track(WireUpstream.start());
        GatewayServer g = start(yaml("1", up.port(), "a"));
        Path file = write(yaml("2", up.port(), "a", "b").replace("listen: {host: 127.0.0.1, port: 0}",
                "listen: {host: 127.0.0.1, port: 18999}"));

        WireResponse r = reload(g, BEARER);
        assertEquals(409, r.status(), r.bodyText());
        assertEquals(file + ": changing listen (running 127.0.0.1:0, file 127.0.0.1:18999) needs a restart; "
                + "the running configuration stays", r.json().path("detail").asText());
        assertEquals("refused", r.json().path("result").asText());
        assertEquals(404, get(g, "/api/b/x"), "nothing of the refused file was applied");
        assertEquals(1.0, metrics(g).value("concierge_config_reloads_total", "result", "refused"));
    }

    @Test
    void aValidEditIsAppliedShownAndRegistered() throws Exception {
        WireUpstream up = resources.track(WireUpstream.start());
        MemoryDiscovery discovery = resources.track(new MemoryDiscovery());
        GatewayServer g = start(yaml("1", up.port(), "a"), TOKEN, discovery);
        String firstSha = configSection(g).path("sha256").asText();
        assertEquals(404, get(g, "/api/b/x"));

        write(yaml("2", up.port(), "a", "b").replace("prefixes: [/api]", "prefixes: [/api, /more]"));
        WireResponse r = reload(g, BEARER);
        assertEquals(200, r.status(), r.bodyText());
        assertEquals("applied", r.json().path("result").asText());
        assertEquals(200, get(g, "/api/b/x"));

        JsonNode config = configSection(g);
        assertEquals("2", config.path("version").asText());
        assertEquals(2, config.path("generation").asInt());
        String sha = config.path("sha256").asText();
        assertTrue(sha.matches("[0-9a-f]{64}") && !sha.equals(firstSha), sha);
        assertEquals("applied", config.path("lastReload").path("result").asText());
        assertTrue(config.path("lastReload").path("error").isNull());

        PrometheusScrape m = metrics(g);
        assertEquals(1.0, m.value("concierge_config_reloads_total", "result", "applied"));
        assertEquals(1.0, m.value("concierge_config_info", "version", "2", "sha256", sha));

        Registration reg = discovery.snapshot().stream().filter(x -> x.instanceId().equals(g.instanceId()))
                .findFirst().orElseThrow();
        assertEquals(List.of("/api", "/more"), reg.prefixes());
        assertEquals(sha, reg.metadata().get("configSha256"));
        assertEquals("2", reg.metadata().get("version"));
        assertTrue(Long.parseLong(reg.metadata().get("startedAt")) > 0);
        assertEquals(1, discovery.snapshot().size(), "re-registration replaces, never duplicates");
    }

    @Test
    void rateLimitCountersContinueAcrossAReload() throws Exception {
        WireUpstream up = resources.track(WireUpstream.start());
        GatewayServer g = start(yaml("1", up.port(), "a"));
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(g, "/api/a/x", "X-Client: c1"));
        }
        var limits = g.runtime().rateLimiting();
        // A new route before it: the limit moves in the file (routes[1]) but is the same limit.
        write(yaml("2", up.port(), "b", "a"));
        assertEquals(200, reload(g, BEARER).status());
        assertSame(limits, g.runtime().rateLimiting());
        assertEquals(200, get(g, "/api/a/x", "X-Client: c1"));
        assertEquals(200, get(g, "/api/a/x", "X-Client: c1"));
        assertEquals(429, get(g, "/api/a/x", "X-Client: c1"), "the 5 of the limit were used before and after");
        assertEquals(200, get(g, "/api/b/x", "X-Client: c1"), "a new route's limit starts fresh");
    }

    @Test
    void anUnchangedServiceKeepsItsPoolsAndBreakersAChangedOneIsRebuilt() throws Exception {
        WireUpstream up = resources.track(WireUpstream.start());
        WireUpstream other = resources.track(WireUpstream.start());
        GatewayServer g = start(yaml("1", up.port(), "a"));
        assertEquals(200, get(g, "/api/a/x"));
        var group = g.upstreamGroup("up");
        var breakers = g.serviceResilience("up");

        write(yaml("2", up.port(), "a", "b"));
        assertEquals(200, reload(g, BEARER).status());
        assertSame(group, g.upstreamGroup("up"));
        assertSame(breakers, g.serviceResilience("up"));

        write(yaml("3", other.port(), "a", "b"));
        assertEquals(200, reload(g, BEARER).status());
        assertNotSame(group, g.upstreamGroup("up"));
        assertEquals(200, get(g, "/api/a/x"));
        assertEquals(1, other.requests().size(), "the changed instance list is used");
    }

    @Test
    void anUnchangedSecuritySectionKeepsItsStateAChangedOneIsRebuilt() throws Exception {
        WireUpstream up = resources.track(WireUpstream.start());
        String security = "security: {trusted-proxies: [10.0.0.0/8]}\nservices:";
        GatewayServer g = start(yaml("1", up.port(), "a").replace("services:", security));
        var state = g.runtime().domainSecurity();

        write(yaml("2", up.port(), "a", "b").replace("services:", security));
        assertEquals(200, reload(g, BEARER).status());
        assertSame(state, g.runtime().domainSecurity(), "same trusted proxies: JWKS caches and counters kept");

        write(yaml("3", up.port(), "a", "b").replace("services:",
                "security: {trusted-proxies: [10.0.0.0/8, 192.0.2.0/24]}\nservices:"));
        assertEquals(200, reload(g, BEARER).status());
        assertNotSame(state, g.runtime().domainSecurity());
        assertEquals(200, get(g, "/api/b/x"));
    }

    @Test
    void reloadsUnderSteadyLoadFailNoRequest() throws Exception {
        WireUpstream up = resources.track(WireUpstream.start());
        GatewayServer g = start(yaml(false, "1", up.port(), "a"));
        SteadyLoad load = SteadyLoad.start("load", g.port(), 4, i -> "/api/a/" + i);
        try {
            List<String> routes = new ArrayList<>(List.of("a"));
            for (String next : List.of("b", "c", "d")) {
                load.awaitProgress("requests flowing before the reload to " + next, 50, Duration.ofSeconds(10));
                routes.add(next);
                write(yaml(false, next, up.port(), routes.toArray(String[]::new)));
                WireResponse r = reload(g, BEARER);
                assertEquals(200, r.status(), r.bodyText());
                assertEquals(200, get(g, "/api/" + next + "/x"), "the new route answers after the swap");
            }
            load.awaitProgress("requests flowing after the reloads", 50, Duration.ofSeconds(10));
        } finally {
            load.close();
        }
        assertTrue(load.failures().isEmpty(), load.summary());
        assertEquals(4, configSection(g).path("generation").asInt());
    }

    @Test
    void anEditOnDiskIsPickedUpByTheFileWatch() throws Exception {
        WireUpstream up = resources.track(WireUpstream.start());
        GatewayServer g = start(yaml("1", up.port(), "a"));
        g.reloads().watchFile();
        write(yaml("2", up.port(), "a", "b"));
        Poll.until("the edited file's new route answers", Duration.ofSeconds(5), () -> {
            try {
                return get(g, "/api/b/x") == 200;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertEquals("file", g.reloads().lastReload().trigger());
        assertEquals(1L, g.reloads().stats().get(ReloadResult.APPLIED));
    }

    @Test
    void sighupReloads() throws Exception {
        WireUpstream up = resources.track(WireUpstream.start());
        GatewayServer g = start(yaml("1", up.port(), "a"));
        // Raising SIGHUP in this JVM is only safe once the handler is installed (else the JVM would exit).
        assertTrue(g.reloads().onSighup().sighupInstalled(), "this JVM cannot handle SIGHUP");
        write(yaml("2", up.port(), "a", "b"));
        sun.misc.Signal.raise(new sun.misc.Signal("HUP"));
        Poll.until("SIGHUP reloaded the file", Duration.ofSeconds(5),
                () -> g.reloads().stats().get(ReloadResult.APPLIED) == 1);
        assertEquals("sighup", g.reloads().lastReload().trigger());
        assertEquals(200, get(g, "/api/b/x"));
    }

    @Test
    void aGatewayStartedWithoutAFileAnswersThatItHasNone() throws Exception {
        WireUpstream up = resources.track(WireUpstream.start());
        GatewayServer g = resources.track(GatewayServer.start(GatewayConfig.parse("inline.yaml",
                yaml("1", up.port(), "a"), k -> k.equals("ADMIN_TOKEN") ? TOKEN : null),
                resources.track(new MemoryDiscovery())));
        WireResponse r = reload(g, BEARER);
        assertEquals(409, r.status());
        assertEquals("no config file: this server was not started from a file", r.json().path("detail").asText());
        assertTrue(configSection(g).path("file").isNull());
    }
}
