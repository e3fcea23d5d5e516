package io.concierge.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.core.HazelcastInstance;

import io.concierge.edge.EdgeConfig;
import io.concierge.edge.EdgeServer;
import io.concierge.gateway.cluster.ClusterMember;
import io.concierge.gateway.config.ClusterConfig;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireUpstream;

/**
 * compose/grafana's dashboard and compose/alerts.yml query only metrics the code exports: a real edge
 * and a real gateway with every feature the files watch (a cached route, rate limits on cluster
 * counters, a circuit breaker, discovery) serve some requests, their {@code /metrics} pages are
 * scraped, and every metric name in the dashboard's and the rules' expressions must be there
 * (histograms' {@code _bucket}, {@code _sum}, {@code _count} series included). Also: the files parse,
 * the dashboard uses the provisioned data source, Prometheus loads the rules file.
 */
class MonitoringFilesTest {
    /** Metric names in PromQL: ours and the JVM's; {@code up} is Prometheus' own. */
    private static final java.util.regex.Pattern METRIC =
            java.util.regex.Pattern.compile("\\b((?:concierge|jvm|process)_[a-zA-Z0-9_]+)");
    private final Resources resources = new Resources();

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    private static List<String> dashboardExpressions() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Checkout.read("compose/grafana/dashboards/concierge-mesh.json"));
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertEquals("concierge-prometheus", panel.path("datasource").path("uid").asText(),
                    panel.path("title").asText() + " uses the provisioned data source");
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        assertFalse(exprs.isEmpty());
        return exprs;
    }

    @SuppressWarnings("unchecked")
    private static List<String> ruleExpressions() {
        Map<String, Object> rules = new Yaml().load(Checkout.read("compose/alerts.yml"));
        List<String> exprs = new ArrayList<>();
        for (Object g : (List<Object>) rules.get("groups")) {
            for (Object r : (List<Object>) ((Map<String, Object>) g).get("rules")) {
                Map<String, Object> rule = (Map<String, Object>) r;
                assertTrue(rule.containsKey("alert") && rule.containsKey("expr"), "a rule: " + rule);
                exprs.add(String.valueOf(rule.get("expr")));
            }
        }
        return exprs;
    }

    private static Set<String> metricNames(List<String> exprs) {
        Set<String> names = new TreeSet<>();
        for (String e : exprs) {
            java.util.regex.Matcher m = METRIC.matcher(e);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    @Test
    void theFilesParseAndAreWiredTogether() throws Exception {
        assertTrue(ruleExpressions().size() >= 5);
        Map<String, Object> prometheus = new Yaml().load(Checkout.read("compose/prometheus.yml"));
        assertEquals(List.of("/etc/prometheus/alerts.yml"), prometheus.get("rule_files"));
        assertTrue(Checkout.read("compose/docker-compose.yaml").contains("./alerts.yml:/etc/prometheus/alerts.yml:ro"));
        Map<String, Object> datasources = new Yaml().load(
                Checkout.read("compose/grafana/provisioning/datasources/prometheus.yaml"));
        assertTrue(datasources.toString().contains("uid=concierge-prometheus"), datasources.toString());
        assertTrue(Checkout.read("compose/alerts.yml").contains("alert: ConciergeGatewayDown"));
        assertFalse(dashboardExpressions().isEmpty());
    }

    @Test
    void everyQueriedMetricIsExportedByARealEdgeOrGateway() throws Exception {
        int base = Poll.freePortBlock(5);
        HazelcastInstance hz = ClusterMember.start(new ClusterConfig("monitoring-" + UUID.randomUUID(), "127.0.0.1",
                base, 5, List.of("127.0.0.1"), Duration.ofSeconds(3)), "monitoring-" + UUID.randomUUID());
        resources.track(hz::shutdown);
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        MemoryDiscovery discovery = new MemoryDiscovery();
        GatewayServer gateway = resources.track(GatewayServer.start(GatewayConfig.parse("monitoring.yaml", """
                domain: shop
                prefixes: [/api]
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                access-log: {enabled: false}
                cache: {max-entries: 100}
                rate-limits:
                  - {name: per-ip, key: client-ip, limit: 1000, window: 1m, mode: strict}
                services:
                  backend:
                    instances:
                      - url: http://127.0.0.1:%d
                    resilience:
                      circuit-breaker: {window: 20, minimum-calls: 10, failure-rate: 50, open-for: 5s}
                routes:
                  - id: cached
                    match: {path: /api/cached, methods: [GET]}
                    service: backend
                    cache: true
                  - id: all
                    match: {path: /api/**}
                    service: backend
                """.formatted(upstream.port()), k -> null), discovery, hz));
        EdgeServer edge = resources.track(EdgeServer.start(EdgeConfig.parse("edge.yaml", """
                listen: {port: 0}
                admin: {port: 0}
                access-log: {enabled: false}
                rate-limits:
                  - {name: api, key: client-ip, limit: 1000, window: 1m, mode: fast, match: {paths: [/api/**]}}
                """, k -> null), discovery, hz));
        Poll.until("the edge sees the gateway", Duration.ofSeconds(30), () -> Map.of("shop", 1).equals(edge.liveInstances()));
        for (String path : List.of("/api/cached", "/api/cached", "/api/x")) {
            assertEquals(200, WireClient.exchange(edge.port(), "GET", path).status(), path);
        }

        Set<String> exported = new TreeSet<>();
        for (int adminPort : List.of(edge.adminPort(), gateway.adminPort())) {
            PrometheusScrape scrape = new PrometheusScrape(WireClient.exchange(adminPort, "GET", "/metrics").bodyText());
            scrape.all().forEach(s -> exported.add(s.name()));
        }
        List<String> exprs = new ArrayList<>(dashboardExpressions());
        exprs.addAll(ruleExpressions());
        Set<String> queried = metricNames(exprs);
        assertTrue(queried.contains("concierge_http_server_request_duration_seconds_bucket"), queried.toString());
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "queried by the dashboard or the alert rules but not exported");
    }
}
