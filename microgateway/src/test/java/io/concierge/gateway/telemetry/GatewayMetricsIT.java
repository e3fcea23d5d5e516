package io.concierge.gateway.telemetry;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} of a gateway scraped over its admin port and parsed strictly: request counts and
 * latency histograms by route template, method and status class; upstream latency by service;
 * in-flight; the other features' counters; bounded labels; never on the public port.
 */
class GatewayMetricsIT {
    private final Resources resources = new Resources();

    @AfterEach
    void stop() throws Exception {
        resources.close();
    }

    private GatewayServer gateway(int upstreamPort) {
        GatewayConfig config = GatewayConfig.parse("users.yaml", GatewayTracingIT.yaml(upstreamPort), k -> null);
        return resources.track(GatewayServer.start(config, new StaticDiscovery(List.of()), null, Tracing.disabled()));
    }

    static PrometheusScrape scrape(int adminPort) {
        HttpResponse<String> r = Http.get(adminPort, "/metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        return new PrometheusScrape(r.body());
    }

    /** Requests are counted after their response is sent, so a scrape may briefly lag the client. */
    static PrometheusScrape awaitCount(int adminPort, double total) {
        PrometheusScrape[] last = new PrometheusScrape[1];
        Poll.until(total + " requests counted", Duration.ofSeconds(10), () -> {
            last[0] = scrape(adminPort);
            return last[0].value("concierge_http_server_requests_total") >= total;
        });
        return last[0];
    }

    @Test
    void requestsAreCountedByRouteTemplateMethodAndStatusClass() {
        WireUpstream upstream = resources.track(WireUpstream.start());
        GatewayServer g = gateway(upstream.port());
        for (int i = 1; i <= 3; i++) {
            assertEquals(200, Http.get(g.port(), "/api/users/" + i).statusCode());
        }
        assertEquals(200, Http.send("POST", g.port(), "/api/users/9").statusCode());
        assertEquals(503, Http.get(g.port(), "/api/items/status/503").statusCode());
        assertEquals(404, Http.get(g.port(), "/not/routed").statusCode());

        PrometheusScrape m = awaitCount(g.adminPort(), 6);
        assertEquals("counter", m.type("concierge_http_server_requests_total"));
        assertEquals("histogram", m.type("concierge_http_server_request_duration_seconds"));
        assertEquals("gauge", m.type("concierge_http_server_active_requests"));
        assertEquals(3, m.value("concierge_http_server_requests_total", "route", "/api/users/{id}", "method", "GET",
                "status_class", "2xx"));
        assertEquals(1, m.value("concierge_http_server_requests_total", "route", "/api/users/{id}", "method", "POST",
                "status_class", "2xx"));
        assertEquals(1, m.value("concierge_http_server_requests_total", "route", "/api/items/**", "method", "GET",
                "status_class", "5xx"));
        assertEquals(1, m.value("concierge_http_server_requests_total", "route", "unmatched", "method", "GET",
                "status_class", "4xx"));
        assertEquals(3, m.value("concierge_http_server_request_duration_seconds_count", "route", "/api/users/{id}",
                "method", "GET", "status_class", "2xx"));
        // Buckets are cumulative and end at +Inf = count.
        List<PrometheusScrape.Sample> buckets = m.samples("concierge_http_server_request_duration_seconds_bucket")
                .stream().filter(s -> s.labels().get("route").equals("/api/users/{id}")
                        && s.labels().get("method").equals("GET")).toList();
        assertEquals(15, buckets.size());
        for (int i = 1; i < buckets.size(); i++) {
            assertTrue(buckets.get(i).value() >= buckets.get(i - 1).value());
        }
        assertEquals("+Inf", buckets.get(buckets.size() - 1).labels().get("le"));
        assertEquals(3, buckets.get(buckets.size() - 1).value());
        assertTrue(m.value("concierge_http_server_request_duration_seconds_sum", "route", "/api/users/{id}",
                "method", "GET") > 0);
        // Upstream: four 2xx tries; the 503 was retried (GET is retryable by default), each try counted.
        assertEquals(4, m.value("concierge_upstream_request_duration_seconds_count", "service", "backend",
                "outcome", "2xx"));
        double retries = m.value("concierge_retries_total", "service", "backend");
        assertTrue(retries >= 1, "the 503 was retried");
        assertEquals(1 + retries, m.value("concierge_upstream_request_duration_seconds_count", "service", "backend",
                "outcome", "5xx"));
        assertEquals(0, m.value("concierge_http_server_active_requests"));
    }

    @Test
    void upstreamFailuresWithoutAResponseCountAsErrors() {
        GatewayServer g = gateway(WireUpstream.closedPort());
        assertEquals(502, Http.get(g.port(), "/api/users/1").statusCode());
        PrometheusScrape m = awaitCount(g.adminPort(), 1);
        assertEquals(1, m.value("concierge_upstream_request_duration_seconds_count", "service", "backend",
                "outcome", "error"));
        assertEquals(1, m.value("concierge_http_server_requests_total", "route", "/api/users/{id}",
                "status_class", "5xx"));
    }

    @Test
    void labelCardinalityStaysBoundedAcrossAThousandDistinctPaths() {
        WireUpstream upstream = resources.track(WireUpstream.start());
        GatewayServer g = gateway(upstream.port());
        for (int i = 0; i < 500; i++) {
            Http.get(g.port(), "/api/users/user-" + i);
            Http.get(g.port(), "/random-" + i + "/x" + i);
        }
        Http.send("BREW", g.port(), "/api/users/teapot");
        PrometheusScrape m = awaitCount(g.adminPort(), 1001);
        Set<Map<String, String>> series = new HashSet<>();
        Set<String> routes = new HashSet<>();
        Set<String> methods = new HashSet<>();
        for (PrometheusScrape.Sample s : m.samples("concierge_http_server_requests_total")) {
            series.add(s.labels());
            routes.add(s.labels().get("route"));
            methods.add(s.labels().get("method"));
        }
        assertEquals(Set.of("/api/users/{id}", "unmatched"), routes);
        assertTrue(Set.of("GET", "other").containsAll(methods), methods.toString());
        assertTrue(series.size() <= 4, series.toString());
        assertEquals(500, m.value("concierge_http_server_requests_total", "route", "/api/users/{id}",
                "method", "GET"));
        for (PrometheusScrape.Sample s : m.all()) {
            for (String v : s.labels().values()) {
                assertFalse(v.contains("user-") || v.contains("random-"), "raw path in a label: " + s);
            }
        }
        assertTrue(m.all().size() < 300, "the whole page stays small: " + m.all().size() + " samples");
    }

    @Test
    void otherFeaturesCountersAreExported() {
        WireUpstream upstream = resources.track(WireUpstream.start());
        GatewayServer g = gateway(upstream.port());
        assertEquals(200, Http.get(g.port(), "/api/users/1").statusCode());
        PrometheusScrape m = awaitCount(g.adminPort(), 1);
        String instance = "127.0.0.1:" + upstream.port();
        assertEquals(1, m.value("concierge_breaker_state", "service", "backend", "instance", instance, "state",
                "closed"));
        assertEquals(0, m.value("concierge_breaker_state", "service", "backend", "instance", instance, "state",
                "open"));
        assertEquals(1, m.value("concierge_upstream_instances", "service", "backend"));
        assertEquals(0, m.value("concierge_retries_total", "service", "backend"));
        assertEquals(1, m.samples("concierge_retries_total").size());
        for (String family : List.of("concierge_ratelimit_decisions_total", "concierge_security_rejections_total",
                "concierge_discovery_changes_total", "concierge_cluster_members", "concierge_bulkhead_rejections_total",
                "concierge_outlier_ejections_total", "concierge_ratelimit_cluster_degraded")) {
            assertTrue(m.type(family) != null, family + " declared");
        }
    }

    @Test
    void metricsAndAdminAreNotServedOnThePublicPort() {
        WireUpstream upstream = resources.track(WireUpstream.start());
        GatewayServer g = gateway(upstream.port());
        for (String path : List.of("/metrics", "/admin", "/admin/routes")) {
            HttpResponse<String> r = Http.get(g.port(), path);
            assertEquals(404, r.statusCode(), path);
            assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
            assertFalse(r.body().contains("# TYPE"), path);
        }
        assertEquals(0, upstream.requestCount(), "nothing reached the upstream");
    }
}
