package io.concierge.gateway.versioning;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API versions served by different services ({@code versions[].service}), through a real gateway and
 * real upstreams: each upstream sees only its version's requests, whichever selector chose the
 * version; the version's rewrite and transformation apply on its service; its service's retry policy
 * is the one that retries, on that service's instances; an unknown service is a load error.
 */
class VersionServiceIT {
    private static WireUpstream a;
    private static WireUpstream b;
    private static WireUpstream c;
    private static WireUpstream cFailing;
    private static GatewayServer gateway;

    @BeforeAll
    static void start() {
        a = WireUpstream.start(r -> reply("a", r));
        b = WireUpstream.start(r -> reply("b", r));
        c = WireUpstream.start(r -> reply("c", r));
        cFailing = WireUpstream.start(r -> UpstreamReply.status(503));
        gateway = TestGateways.start("""
                domain: items
                prefixes: [/api/items, /api/v1/items, /api/v2/items, /api/v3/items]
                services:
                  a:
                    instances: [{url: "%s"}]
                    resilience: {retry: {attempts: 1}}
                  b:
                    instances: [{url: "%s"}]
                    resilience: {retry: {attempts: 1}}
                  c:
                    instances: [{url: "%s"}, {url: "%s"}]
                    resilience: {retry: {attempts: 3, budget: {min-per-second: 100}}}
                routes:
                  - id: item
                    match: {path: "/api/items/{id}", methods: [GET]}
                    service: a
                versioning:
                  - id: items
                    routes: [item]
                    default: "1"
                    url-prefix: /api
                    header: API-Version
                    query: version
                    versions:
                      - version: "1"
                      - version: "2"
                        service: b
                        rewrite: {add-prefix: /v2}
                        transform:
                          response:
                            body: [{rename: {/name: title}}]
                      - version: "3"
                        service: c
                """.formatted(a.url(), b.url(), cFailing.url(), c.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        a.close();
        b.close();
        c.close();
        cFailing.close();
    }

    @BeforeEach
    void forgetRequests() {
        a.clearRequests();
        b.clearRequests();
        c.clearRequests();
        cFailing.clearRequests();
    }

    private static UpstreamReply reply(String from, RecordedRequest r) {
        return UpstreamReply.json(200, ("{\"from\":\"" + from + "\",\"name\":\"Lamp\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static WireResponse get(String target, String... headers) throws Exception {
        return WireClient.exchange(gateway.port(), "GET", target, headers);
    }

    @ParameterizedTest(name = "{0} {1} → {2}")
    @CsvSource(delimiter = '|', value = {
        "/api/items/7|                 |a|/api/items/7",
        "/api/v1/items/7|              |a|/api/items/7",
        "/api/v2/items/7|              |b|/v2/api/items/7",
        "/api/items/7|API-Version: 2   |b|/v2/api/items/7",
        "/api/items/7?version=2|       |b|/v2/api/items/7",
        "/api/items/7?version=1|       |a|/api/items/7",
        "/api/v1/items/7|API-Version: 2|a|/api/items/7",
    })
    void eachUpstreamSeesOnlyItsVersionsRequests(String target, String header, String service, String upstreamTarget)
            throws Exception {
        WireResponse r = header == null ? get(target) : get(target, header);

        assertEquals(200, r.status(), r.toString());
        assertEquals(service, r.json().get("from").asText(), r.bodyText());
        WireUpstream expected = service.equals("a") ? a : b;
        WireUpstream other = service.equals("a") ? b : a;
        assertEquals(1, expected.requestCount());
        assertEquals(0, other.requestCount(), "the other version's upstream saw nothing");
        assertEquals(upstreamTarget, expected.lastRequest().target(), "the version's rewrite, no selector upstream");
    }

    @Test
    void theVersionsTransformationAppliesToItsServicesAnswer() throws Exception {
        WireResponse v2 = get("/api/v2/items/7");
        assertEquals("Lamp", v2.json().get("title").asText(), v2.bodyText());
        assertTrue(v2.json().path("name").isMissingNode(), v2.bodyText());

        WireResponse v1 = get("/api/items/7");
        assertEquals("Lamp", v1.json().get("name").asText(), v1.bodyText());
    }

    @Test
    void aVersionsServiceRetriesOnItsOwnInstancesWithItsOwnPolicy() throws Exception {
        // Service c's first instance answers 503; round robin sends every other request there, and
        // c's policy (3 attempts, a budget for them all) retries it on c's other instance. The route's
        // service a tries once.
        for (int i = 0; i < 4; i++) {
            WireResponse r = get("/api/v3/items/" + i);
            assertEquals(200, r.status(), r.toString());
            assertEquals("c", r.json().get("from").asText(), r.bodyText());
        }
        assertEquals(4, c.requestCount());
        assertTrue(cFailing.requestCount() >= 1, "round robin reached c's failing instance");
        assertEquals(0, a.requestCount());
        assertEquals(0, b.requestCount());
        PrometheusScrape metrics = new PrometheusScrape(
                WireClient.exchange(gateway.adminPort(), "GET", "/metrics").bodyText());
        assertTrue(metrics.value("concierge_retries_total", "service", "c") >= 1, "c's instances were retried");
        assertEquals(0.0, metrics.value("concierge_retries_total", "service", "a"));
    }

    @Test
    void anUnknownServiceIsALoadErrorNamingFileAndYamlPath() {
        String yaml = """
                domain: items
                prefixes: [/api/items]
                services:
                  a: {instances: [{url: "http://127.0.0.1:1"}]}
                routes:
                  - {id: item, match: {path: "/api/items/{id}"}, service: a}
                versioning:
                  - id: items
                    routes: [item]
                    default: "1"
                    header: API-Version
                    versions:
                      - version: "1"
                      - {version: "2", service: nope}
                """;
        String message = assertThrows(ConfigException.class, () -> GatewayConfig.parse("items.yaml", yaml, k -> null))
                .getMessage();
        assertEquals("items.yaml: versioning[0].versions[1].service: unknown service 'nope' (services: a)", message);
    }
}
