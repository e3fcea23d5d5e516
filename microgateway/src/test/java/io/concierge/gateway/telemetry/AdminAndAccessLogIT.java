package io.concierge.gateway.telemetry;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestTracing;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read-only {@code /admin} view on the admin port, and the access log: its fields in both
 * formats, the consumer of an API key, and that no credential ever reaches it.
 */
class AdminAndAccessLogIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "the-api-key-0123456789";
    private final Resources resources = new Resources();
    private final List<LogRecord> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureAccessLog() {
        Logger.getLogger(AccessLog.LOGGER).addHandler(capture);
    }

    @AfterEach
    void stop() throws Exception {
        Logger.getLogger(AccessLog.LOGGER).removeHandler(capture);
        resources.close();
    }

    private static String secureYaml(int upstreamPort, String accessLog) {
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                    KEY.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return """
                domain: users
                version: "7"
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api/users]
                %s
                security:
                  default-access: public
                  api-keys:
                    query-param: api_key
                    consumers:
                      reporting: {keys: ["sha256:%s"]}
                services:
                  backend:
                    instances:
                      - url: http://127.0.0.1:%d
                routes:
                  - id: user
                    match: {path: "/api/users/{id}"}
                    service: backend
                    auth: {access: authenticated}
                """.formatted(accessLog, hash, upstreamPort);
    }

    private GatewayServer gateway(GatewayConfig config, Tracing tracing) {
        return resources.track(GatewayServer.start(config, new StaticDiscovery(List.of()), null, tracing));
    }

    private List<String> awaitLines(int n) {
        Poll.until(n + " access-log lines", Duration.ofSeconds(10), () -> lines.size() >= n);
        return lines.stream().map(LogRecord::getMessage).toList();
    }

    @Test
    void jsonLineHasEveryFieldAndNoCredential() throws Exception {
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        TestTracing t = resources.track(new TestTracing("concierge-users"));
        GatewayServer g = gateway(GatewayConfig.parse("users.yaml", secureYaml(upstream.port(), ""), k -> null),
                t.tracing());

        HttpResponse<String> r = Http.get(g.port(), "/api/users/42?api_key=" + KEY + "&q=1", "X-Request-Id",
                "rid-log-1", "traceparent", "00-" + GatewayTracingIT.TRACE + "-" + GatewayTracingIT.PARENT + "-01",
                "Authorization", "Bearer not.a.token-secret", "User-Agent", "probe/1.0 \"quoted\"");
        assertEquals(200, r.statusCode());
        String line = awaitLines(1).get(0);
        JsonNode j = JSON.readTree(line);
        assertTrue(j.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"), line);
        assertEquals("users", j.get("server").asText());
        assertEquals("rid-log-1", j.get("request_id").asText());
        assertEquals(GatewayTracingIT.TRACE, j.get("trace_id").asText());
        assertEquals("127.0.0.1", j.get("client").asText());
        assertEquals("GET", j.get("method").asText());
        assertEquals("/api/users/42", j.get("path").asText(), "the path without its query");
        assertEquals("/api/users/{id}", j.get("route").asText());
        assertEquals(200, j.get("status").asInt());
        // Helidon's count of bytes written for the response: status line and headers included.
        assertTrue(j.get("bytes").asLong() > r.body().getBytes(StandardCharsets.UTF_8).length, line);
        assertTrue(j.get("duration_ms").asDouble() >= j.get("upstream_ms").asDouble(), line);
        assertTrue(j.get("upstream_ms").asDouble() > 0, line);
        assertEquals("reporting", j.get("consumer").asText());
        assertEquals("probe/1.0 \"quoted\"", j.get("user_agent").asText());
        assertFalse(line.contains(KEY), "the API key never reaches the log");
        assertFalse(line.contains("token-secret"), "the bearer token never reaches the log");
        assertFalse(line.contains("q=1"), "no query string");
    }

    @Test
    void refusedAndUnmatchedRequestsAreLoggedToo() throws Exception {
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        GatewayServer g = gateway(GatewayConfig.parse("users.yaml", secureYaml(upstream.port(), ""), k -> null),
                Tracing.disabled());
        assertEquals(401, Http.get(g.port(), "/api/users/1", "Authorization", "Bearer bad-secret").statusCode());
        assertEquals(404, Http.get(g.port(), "/elsewhere").statusCode());
        List<String> log = awaitLines(2);
        JsonNode refused = JSON.readTree(log.get(0));
        assertEquals(401, refused.get("status").asInt());
        assertTrue(refused.get("consumer").isNull());
        assertEquals(0.0, refused.get("upstream_ms").asDouble());
        assertEquals("unmatched", JSON.readTree(log.get(1)).get("route").asText());
        assertFalse(String.join("\n", log).contains("bad-secret"));
    }

    @Test
    void combinedFormatIsApacheCombinedWithConciergeFields() {
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        GatewayServer g = gateway(GatewayConfig.parse("users.yaml", secureYaml(upstream.port(),
                "access-log: {format: combined}"), k -> null), Tracing.disabled());
        assertEquals(200, Http.get(g.port(), "/api/users/5?api_key=" + KEY, "X-Request-Id", "rid-c",
                "Referer", "http://shop.example/page?session=s3cr3t", "User-Agent", "ua/2").statusCode());
        String line = awaitLines(1).get(0);
        assertTrue(line.matches("127\\.0\\.0\\.1 - reporting \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000] "
                + "\"GET /api/users/5 HTTP/1\\.1\" 200 \\d+ \"http://shop\\.example/page\" \"ua/2\" rid=rid-c trace=- "
                + "route=\"/api/users/\\{id}\" dur_ms=\\d+\\.\\d{3} up_ms=\\d+\\.\\d{3}"), line);
        assertFalse(line.contains(KEY));
        assertFalse(line.contains("s3cr3t"));
    }

    @Test
    void disabledAccessLogWritesNothing() {
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        GatewayServer g = gateway(GatewayConfig.parse("users.yaml", secureYaml(upstream.port(),
                "access-log: {enabled: false}"), k -> null), Tracing.disabled());
        assertEquals(200, Http.get(g.port(), "/api/users/5?api_key=" + KEY).statusCode());
        // The request is counted after its line would have been written: wait for the count.
        GatewayMetricsIT.awaitCount(g.adminPort(), 1);
        assertEquals(List.of(), lines);
    }

    @Test
    void accessLogConfigErrorsNameFileAndPath() {
        ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfig.parse("users.yaml",
                secureYaml(1, "access-log: {format: xml}"), k -> null));
        assertTrue(e.getMessage().startsWith("users.yaml: access-log.format: unknown value 'xml' (allowed: json,"
                + " combined)"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> GatewayConfig.parse("users.yaml",
                secureYaml(1, "access-log: {colour: blue}"), k -> null));
        assertTrue(e.getMessage().startsWith("users.yaml: access-log.colour"), e.getMessage());
    }

    @Test
    void adminViewIsReadOnlyAndOnlyOnTheAdminPort(@TempDir Path dir) throws Exception {
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        Path file = dir.resolve("users.yaml");
        Files.writeString(file, secureYaml(upstream.port(), ""));
        GatewayServer g = gateway(GatewayConfig.load(file, k -> null), Tracing.disabled());

        HttpResponse<String> all = Http.get(g.adminPort(), "/admin");
        assertEquals(200, all.statusCode());
        assertEquals("application/json", all.headers().firstValue("Content-Type").orElse(""));
        JsonNode a = JSON.readTree(all.body());
        assertEquals(List.of("config", "routes", "instances", "breakers", "limiters", "errors"), fieldNames(a));
        assertEquals("7", a.at("/config/version").asText());
        assertEquals("users", a.at("/config/domain").asText());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))),
                a.at("/config/sha256").asText());
        assertEquals("user", a.at("/routes/0/id").asText());
        assertEquals("/api/users/{id}", a.at("/routes/0/path").asText());
        assertEquals("CLOSED", a.at("/breakers/backend/instances/0/breaker").asText());
        assertTrue(a.get("instances").isObject());
        assertTrue(a.at("/limiters/limits").isArray());
        assertFalse(all.body().contains("sha256:"), "no key hashes in the admin view");

        assertEquals("backend", JSON.readTree(Http.get(g.adminPort(), "/admin/routes").body()).at("/0/service")
                .asText());
        HttpResponse<String> unknown = Http.get(g.adminPort(), "/admin/secrets");
        assertEquals(404, unknown.statusCode());
        assertEquals("application/problem+json", unknown.headers().firstValue("Content-Type").orElse(""));
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            for (String path : List.of("/admin", "/admin/routes", "/metrics")) {
                HttpResponse<String> r = Http.send(method, g.adminPort(), path);
                assertEquals(405, r.statusCode(), method + " " + path);
                assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
                assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElse(""));
                assertEquals(405, JSON.readTree(r.body()).get("status").asInt());
            }
        }
        HttpResponse<String> head = Http.send("HEAD", g.adminPort(), "/metrics");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(404, Http.get(g.port(), "/admin").statusCode());
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
