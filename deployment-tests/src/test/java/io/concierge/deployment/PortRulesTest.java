package io.concierge.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The port rule of docs/operations.md#ports: no port Concierge listens on in the demo, in compose or
 * in an example config is a default port of a component that runs beside it (Consul's agent held
 * 127.0.0.1:8301 before the orders gateway could), and compose, the launcher, the agent config and
 * Prometheus agree on every port.
 */
class PortRulesTest {
    /** Default ports of the components the mesh runs beside, and whose they are. */
    static final Map<Integer, String> RESERVED = reserved();
    private static final int HAZELCAST_CLUSTER_PORT = 5701;
    private static final Pattern DEFAULT_IN_YAML = Pattern.compile("\\$\\{([A-Z_]*PORT):(\\d+)}");
    private static final Pattern TARGET = Pattern.compile("\"127\\.0\\.0\\.1:(\\d+)\"");

    private final DemoDefaults demo = DemoDefaults.read();
    private final ComposeFile compose = ComposeFile.read();

    private static Map<Integer, String> reserved() {
        Map<Integer, String> r = new LinkedHashMap<>();
        for (int p : new int[] {8300, 8301, 8302}) {
            r.put(p, "Consul (server RPC, Serf LAN, Serf WAN)");
        }
        for (int p : new int[] {8500, 8501, 8502, 8503}) {
            r.put(p, "Consul (HTTP, HTTPS, gRPC, gRPC TLS)");
        }
        r.put(8600, "Consul (DNS)");
        for (int p : new int[] {5701, 5702, 5703}) {
            r.put(p, "Hazelcast (member ports)");
        }
        r.put(4317, "OpenTelemetry (OTLP gRPC)");
        r.put(4318, "OpenTelemetry (OTLP HTTP)");
        r.put(13133, "OpenTelemetry Collector (health check)");
        r.put(8888, "OpenTelemetry Collector (own metrics)");
        r.put(55679, "OpenTelemetry Collector (zPages)");
        r.put(9090, "Prometheus");
        r.put(3000, "Grafana (and the CORS origin example http://localhost:3000)");
        r.put(16686, "Jaeger (UI)");
        r.put(14250, "Jaeger (gRPC collector)");
        r.put(14268, "Jaeger (HTTP collector)");
        r.put(9411, "Zipkin");
        return Map.copyOf(r);
    }

    @Test
    void noConciergePortIsAnotherComponentsDefault() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        demo.ports().forEach((k, v) -> {
            if (!k.equals("CLUSTER_PORT")) {
                ports.put("compose/demo.sh " + k, v);
            }
        });
        demo.gateways().forEach((d, list) -> list.forEach(g -> {
            ports.put("compose/demo.sh " + d + " gateway " + g.port(), g.port());
            ports.put("compose/demo.sh " + d + " gateway admin " + g.adminPort(), g.adminPort());
        }));
        for (String file : yamlConfigs()) {
            Matcher m = DEFAULT_IN_YAML.matcher(Checkout.read(file));
            while (m.find()) {
                int port = Integer.parseInt(m.group(2));
                if (port != 0 && !m.group(1).endsWith("CLUSTER_PORT")) {
                    ports.put(file + " ${" + m.group(1) + "}", port);
                }
            }
        }
        for (String service : compose.services().keySet()) {
            compose.environment(service).forEach((k, v) -> {
                if (k.endsWith("_PORT") && !k.equals("CLUSTER_PORT")) {
                    ports.put("compose/docker-compose.yaml " + service + " " + k, Integer.parseInt(v));
                }
            });
        }
        List<String> clashes = new ArrayList<>();
        ports.forEach((where, port) -> {
            if (RESERVED.containsKey(port)) {
                clashes.add(where + " = " + port + " is the default of " + RESERVED.get(port));
            }
        });
        assertEquals(List.of(), clashes, "docs/operations.md#ports");
    }

    @Test
    void theClusterPortIsHazelcastsOwnOrFree() {
        assertEquals(HAZELCAST_CLUSTER_PORT, demo.port("CLUSTER_PORT"));
        for (String service : compose.services().keySet()) {
            String p = compose.environment(service).get("CLUSTER_PORT");
            if (p != null) {
                assertEquals(HAZELCAST_CLUSTER_PORT, Integer.parseInt(p), service);
            }
        }
        for (String file : yamlConfigs()) {
            Matcher m = DEFAULT_IN_YAML.matcher(Checkout.read(file));
            while (m.find()) {
                int port = Integer.parseInt(m.group(2));
                if (m.group(1).endsWith("CLUSTER_PORT") && port != HAZELCAST_CLUSTER_PORT) {
                    assertTrue(!RESERVED.containsKey(port), file + ": cluster port " + port + " is " + RESERVED.get(port));
                }
            }
        }
    }

    @Test
    void composeRunsTheDemosPorts() {
        Map<String, String> edge = compose.environment("edge");
        assertEquals(demo.port("EDGE_PORT"), Integer.parseInt(edge.get("EDGE_PORT")));
        assertEquals(demo.port("EDGE_ADMIN_PORT"), Integer.parseInt(edge.get("EDGE_ADMIN_PORT")));
        assertEquals(demo.port("EDGE_TLS_PORT"), Integer.parseInt(edge.get("EDGE_TLS_PORT")));
        for (String domain : DemoDefaults.DOMAINS) {
            String variable = DemoDefaults.SERVICE_PORT_VARIABLES.get(domain);
            Set<String> composeGateways = new TreeSet<>();
            for (String service : compose.services().keySet()) {
                Map<String, String> env = compose.environment(service);
                Object command = compose.service(service).get("command");
                if (env.containsKey("GATEWAY_PORT") && command instanceof List<?> args && args.contains("domains/" + domain + "/gateway.yaml")) {
                    composeGateways.add(env.get("GATEWAY_PORT") + ":" + env.get("GATEWAY_ADMIN_PORT"));
                    assertEquals(demo.port(variable), Integer.parseInt(env.get(variable)),
                            service + " reaches its service on another port than the demo's");
                }
                if (env.containsKey(variable) && !env.containsKey("GATEWAY_PORT")) {
                    assertEquals(demo.port(variable), Integer.parseInt(env.get(variable)), service);
                }
            }
            Set<String> demoGateways = new TreeSet<>();
            demo.gatewaysOf(domain).forEach(g -> demoGateways.add(g.port() + ":" + g.adminPort()));
            assertEquals(demoGateways, composeGateways, domain + " gateways: compose vs compose/demo.sh");
        }
        for (String domain : DemoDefaults.BFF_DOMAINS) {
            Set<String> composeGateways = new TreeSet<>();
            for (String service : compose.services().keySet()) {
                Map<String, String> env = compose.environment(service);
                Object command = compose.service(service).get("command");
                if (env.containsKey("GATEWAY_PORT") && command instanceof List<?> args
                        && args.contains("domains/" + domain + "/gateway.yaml")) {
                    composeGateways.add(env.get("GATEWAY_PORT") + ":" + env.get("GATEWAY_ADMIN_PORT"));
                }
            }
            Set<String> demoGateways = new TreeSet<>();
            demo.gatewaysOf(domain).forEach(g -> demoGateways.add(g.port() + ":" + g.adminPort()));
            assertEquals(demoGateways, composeGateways, domain + " gateways: compose vs compose/demo.sh");
        }
    }

    @Test
    void prometheusScrapesExactlyTheAdminPorts() {
        Set<Integer> admin = new TreeSet<>();
        admin.add(demo.port("EDGE_ADMIN_PORT"));
        demo.gateways().values().forEach(list -> list.forEach(g -> admin.add(g.adminPort())));
        Set<Integer> targets = new TreeSet<>();
        Matcher m = TARGET.matcher(Checkout.read("compose/prometheus.yml"));
        while (m.find()) {
            targets.add(Integer.parseInt(m.group(1)));
        }
        assertEquals(admin, targets, "compose/prometheus.yml targets vs the demo's admin ports");
    }

    @Test
    void theMeshReachesTheCollectorAndConsulWhereTheyListen() throws IOException {
        Map<String, String> env = compose.environment("edge");
        String collector = Checkout.read("compose/otel-collector.yaml");
        String otlp = env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
        assertTrue(otlp.startsWith("http://127.0.0.1:"), otlp);
        assertTrue(collector.contains("endpoint: " + otlp.substring("http://".length())),
                "the collector does not listen where the mesh exports: " + otlp);
        // Consul's HTTP API on its default port (agent.json sets no 'ports').
        JsonNode agent = new ObjectMapper().readTree(Checkout.path("consul/agent.json").toFile());
        assertTrue(!agent.has("ports"));
        assertEquals("http://127.0.0.1:8500", env.get("CONSUL_HTTP_ADDR"));
    }

    /** The demo's and the examples' YAML configs (domains, compose, bench). */
    private static List<String> yamlConfigs() {
        List<String> files = new ArrayList<>();
        for (String dir : List.of("domains", "compose", "bench")) {
            try (Stream<Path> s = Files.walk(Checkout.path(dir), 2)) {
                s.filter(p -> p.toString().endsWith(".yaml") && !p.toString().contains("/target/"))
                        .filter(p -> !p.getFileName().toString().equals("docker-compose.yaml"))
                        .forEach(p -> files.add(Checkout.ROOT.relativize(p).toString()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertTrue(files.contains("domains/orders/gateway.yaml") && files.contains("compose/edge.yaml"), files.toString());
        return files;
    }
}
