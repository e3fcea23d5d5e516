package io.concierge.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.testing.Poll;

/**
 * The documented one-line switch, end to end: {@code DISCOVERY=consul compose/demo.sh} with the Consul
 * agent stand-in running as its own process (ConsulAgentStandInMain, started with this test's class
 * path; it follows Consul's documented HTTP API, HTTP checks included). The launcher starts the real
 * jars (four services, the edge, two users and two products gateways, one orders, one payments and
 * one mobile gateway) on a block of free ports, so a developer's demo on the default ports is undisturbed.
 *
 * <p>Proves: every gateway registers with its HTTP check on its admin /health/live and the check
 * passes; the edge dispatches every path of the demo contract through Consul discovery; a gateway
 * stopped with SIGTERM deregisters and one killed with SIGKILL fails its check, and either way the
 * stand-in's passing list shrinks and the edge stops routing to it. Every process is stopped at the
 * end, whether the test passed or not.
 */
class ConsulDemoIT {
    private static final Duration START = Duration.ofMinutes(6); // the launcher's own steps are bounded too
    private static final Duration CHANGE = Duration.ofSeconds(60);
    private static final Pattern GATEWAY_LINE = Pattern.compile(
            "(users|products|orders|payments|mobile) gateway #(\\d+) +http://127\\.0\\.0\\.1:(\\d+) +admin http://127\\.0\\.0\\.1:(\\d+) +\\(pid (\\d+)\\)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> JARS = List.of("microgateway/target/microgateway.jar",
            "microgateway/target/libs/consul.jar", "edge-router/target/edge-router.jar",
            "domains/users/target/users-service.jar", "domains/products/target/products-service.jar",
            "domains/orders/target/orders-service.jar", "domains/payments/target/payments-service.jar");

    /** One running gateway instance, as the launcher reported it. */
    private record Gateway(String domain, int number, int port, int adminPort, long pid) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> processes = new ArrayList<>();
    private final Path work = Path.of("target", "consul-demo-" + UUID.randomUUID().toString().substring(0, 8))
            .toAbsolutePath();

    @AfterEach
    void stopEverything() {
        // The launcher first (TERM: it stops its members one by one and the services, as on Ctrl-C),
        // then whatever is left of its tree, then the stand-in.
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            List<ProcessHandle> tree = p.descendants().toList();
            p.destroy();
            try {
                if (!p.waitFor(90, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (ProcessHandle h : tree) {
                if (h.isAlive()) {
                    h.destroyForcibly();
                    h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
                }
            }
        }
        http.close();
    }

    @Test
    void theDemoRunsOnConsulAndAStoppedGatewayLeavesRotation() throws Exception {
        for (String jar : JARS) {
            assertTrue(Files.isRegularFile(Checkout.path(jar)), jar + " is missing: build the jars first (mvn package)");
        }
        Files.createDirectories(work);
        // 0-2 edge (http, https, admin), 3-6 services, 7-20 gateways, 21 the agent, 22-41 Hazelcast,
        // 42 the product service's gRPC port (outside the Hazelcast members' probe range).
        int base = Poll.freePortBlock(43);
        int edgePort = base;
        int edgeAdmin = base + 2;
        int agentPort = base + 21;
        Process agent = start("consul-standin", List.of(javaLauncher(), "-Xmx96m", "-cp",
                System.getProperty("java.class.path"), "io.concierge.consul.testing.ConsulAgentStandInMain",
                String.valueOf(agentPort)), Map.of());
        Poll.until("the Consul stand-in to listen", Duration.ofSeconds(60),
                () -> alive(agent, "consul-standin") && log("consul-standin").contains("listening on"));
        String consul = "http://127.0.0.1:" + agentPort;

        Map<String, String> env = new LinkedHashMap<>();
        env.put("DISCOVERY", "consul");
        env.put("CONSUL_HTTP_ADDR", consul);
        env.put("EDGE_PORT", String.valueOf(edgePort));
        env.put("EDGE_TLS_PORT", String.valueOf(base + 1));
        env.put("EDGE_ADMIN_PORT", String.valueOf(edgeAdmin));
        env.put("USER_SERVICE_PORT", String.valueOf(base + 3));
        env.put("PRODUCT_SERVICE_PORT", String.valueOf(base + 4));
        // Not base + 21..39: CLUSTER_PORT's port-count (20) makes Hazelcast probe those for members.
        env.put("PRODUCT_GRPC_PORT", String.valueOf(base + 42));
        env.put("ORDER_SERVICE_PORT", String.valueOf(base + 5));
        env.put("PAYMENT_SERVICE_PORT", String.valueOf(base + 6));
        env.put("USERS_GATEWAYS", pair(base + 7) + " " + pair(base + 9));
        env.put("PRODUCTS_GATEWAYS", pair(base + 11) + " " + pair(base + 13));
        env.put("ORDERS_GATEWAYS", pair(base + 15));
        env.put("PAYMENTS_GATEWAYS", pair(base + 17));
        env.put("MOBILE_GATEWAYS", pair(base + 19));
        env.put("CLUSTER_NAME", "consul-demo-it-" + UUID.randomUUID());
        env.put("CLUSTER_PORT", String.valueOf(base + 22));
        env.put("JWT_SECRET", "consul-demo-it-secret-" + UUID.randomUUID());
        env.put("DEMO_DIR", work.resolve("demo").toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("DEMO_START_TIMEOUT", "240");
        // C1 only: twelve JVMs start on a small shared machine, and none of them carries load here.
        env.put("GATEWAY_JAVA_OPTS", "-XX:+UseSerialGC -Xms32m -Xmx256m -XX:TieredStopAtLevel=1"
                + " -Djava.net.preferIPv4Stack=true");
        Process demo = start("demo", List.of("bash", Checkout.path("compose/demo.sh").toString()), env);
        Poll.until("compose/demo.sh to report the mesh up (see " + work.resolve("demo.log") + ")", START,
                () -> alive(demo, "demo") && log("demo").contains("Stop: Ctrl-C")); // the last line of the ready report

        List<Gateway> gateways = gateways(log("demo"));
        assertEquals(7, gateways.size(), log("demo"));

        // Every gateway registered itself with its HTTP check on its admin /health/live ...
        Map<Integer, JsonNode> registered = registrations();
        for (Gateway g : gateways) {
            JsonNode body = registered.get(g.port());
            assertTrue(body != null, g + " never registered; stand-in log: " + log("consul-standin"));
            assertEquals("concierge-gateway", body.path("Name").asText());
            assertEquals(g.domain(), body.path("Meta").path("concierge-domain").asText());
            assertEquals(String.valueOf(g.adminPort()), body.path("Meta").path("concierge-admin-port").asText());
            JsonNode check = body.path("Check");
            assertEquals("http://127.0.0.1:" + g.adminPort() + "/health/live", check.path("HTTP").asText(), g.toString());
            for (String field : List.of("Interval", "Timeout", "DeregisterCriticalServiceAfter")) {
                assertTrue(!check.path(field).asText().isEmpty(), g + ": the check has no " + field);
            }
        }
        // ... and the agent's check of each one passes (the stand-in polled the URL).
        for (Gateway g : gateways) {
            JsonNode entry = entry(consul, g.port());
            JsonNode c = entry.path("Checks").get(0);
            assertEquals("http", c.path("Type").asText());
            assertEquals("passing", c.path("Status").asText(), g + ": " + c);
            assertTrue(c.path("Output").asText().contains("http://127.0.0.1:" + g.adminPort() + "/health/live"), c.toString());
        }
        assertEquals(ports(gateways, null), passingPorts(consul));

        // The demo contract, through the edge, with discovery in Consul.
        String e = "http://127.0.0.1:" + edgePort;
        assertEquals(200, get(e + "/api/products", null).statusCode());
        assertEquals(200, get(e + "/api/products/p1", null).statusCode());
        assertEquals(404, get(e + "/api/products/nope", null).statusCode());
        assertEquals(200, get(e + "/api/products/p1/reviews", null).statusCode());
        assertEquals(200, get(e + "/api/products/p1/inventory", null).statusCode());
        HttpResponse<String> details = get(e + "/api/product-details/p1", null);
        assertEquals(200, details.statusCode());
        assertTrue(JSON.readTree(details.body()).has("reviews"), details.body());
        assertEquals(401, post(e + "/api/auth/login", "{\"username\":\"alice\",\"password\":\"wrong\"}").statusCode());
        String alice = login(e, "alice", "alice-pw");
        String admin = login(e, "admin", "admin-pw");
        assertEquals(401, get(e + "/api/users/1", null).statusCode());
        assertEquals(200, get(e + "/api/users/1", alice).statusCode());
        assertEquals(403, get(e + "/api/users/2", alice).statusCode());
        assertEquals(200, get(e + "/api/orders?userId=1", alice).statusCode());
        assertEquals(403, get(e + "/api/orders?userId=2", alice).statusCode());
        assertEquals(401, get(e + "/api/orders?userId=1", null).statusCode());
        HttpResponse<String> order = get(e + "/api/order-details/o1", alice);
        assertEquals(200, order.statusCode(), order.body());
        assertTrue(JSON.readTree(order.body()).has("customer"), order.body());
        HttpResponse<String> dashboard = get(e + "/api/dashboard", alice);
        assertEquals(200, dashboard.statusCode(), dashboard.body());
        HttpResponse<String> payment = send(HttpRequest.newBuilder(URI.create(e + "/api/payments"))
                .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"orderId\":\"o1\",\"userId\":\"1\",\"amount\":10.5,"
                        + "\"currency\":\"EUR\",\"method\":\"card\"}")));
        assertEquals(201, payment.statusCode(), payment.body());
        String paymentPath = payment.headers().firstValue("Location").orElseThrow();
        assertEquals(200, get(e + paymentPath, alice).statusCode());
        assertEquals(401, get(e + paymentPath, null).statusCode());
        assertEquals(200, get(e + "/api/admin/users", admin).statusCode());
        assertEquals(200, get(e + "/api/v2/products/p1", null).statusCode());
        HttpResponse<String> home = get(e + "/api/mobile/home", alice);
        assertEquals(200, home.statusCode(), home.body());
        assertTrue(JSON.readTree(home.body()).path("data").has("me"), home.body());
        assertEquals(403, get(e + "/api/admin/users", alice).statusCode());

        // SIGTERM: the second users gateway deregisters on its way out.
        Gateway users2 = find(gateways, "users", 2);
        stop(users2, false);
        Poll.until("users #2 to leave Consul", CHANGE, () -> !allPorts(consul).contains(users2.port()));
        Poll.until("the edge to drop users #2", CHANGE, () -> edgeInstances(edgeAdmin, "users")
                .equals(List.of("127.0.0.1:" + find(gateways, "users", 1).port())));
        for (int i = 0; i < 4; i++) {
            assertEquals(200, get(e + "/api/users/1", alice).statusCode());
        }

        // SIGKILL: the second products gateway cannot deregister; its check fails and takes it out.
        Gateway products2 = find(gateways, "products", 2);
        stop(products2, true);
        Poll.until("products #2's check to fail", CHANGE,
                () -> "critical".equals(entry(consul, products2.port()).path("Checks").get(0).path("Status").asText()));
        Poll.until("the edge to drop products #2", CHANGE, () -> edgeInstances(edgeAdmin, "products")
                .equals(List.of("127.0.0.1:" + find(gateways, "products", 1).port())));
        assertEquals(ports(gateways, Set.of(users2, products2)), passingPorts(consul));
        for (int i = 0; i < 4; i++) {
            assertEquals(200, get(e + "/api/products", null).statusCode());
        }
    }

    // --- the mesh ---------------------------------------------------------------------------------

    private static String pair(int port) {
        return port + ":" + (port + 1);
    }

    private static List<Gateway> gateways(String demoOutput) {
        List<Gateway> out = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        Matcher m = GATEWAY_LINE.matcher(demoOutput);
        while (m.find()) {
            if (seen.add(m.group(1) + m.group(2))) {
                out.add(new Gateway(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                        Integer.parseInt(m.group(4)), Long.parseLong(m.group(5))));
            }
        }
        return out;
    }

    private static Gateway find(List<Gateway> gateways, String domain, int number) {
        return gateways.stream().filter(g -> g.domain().equals(domain) && g.number() == number).findFirst()
                .orElseThrow(() -> new AssertionError("no " + domain + " gateway #" + number + " in " + gateways));
    }

    private static Set<Integer> ports(List<Gateway> gateways, Set<Gateway> without) {
        Set<Integer> out = new TreeSet<>();
        gateways.stream().filter(g -> without == null || !without.contains(g)).forEach(g -> out.add(g.port()));
        return out;
    }

    private static void stop(Gateway g, boolean kill) {
        ProcessHandle h = ProcessHandle.of(g.pid()).orElseThrow(() -> new AssertionError(g + " is not running"));
        boolean sent = kill ? h.destroyForcibly() : h.destroy();
        assertTrue(sent, "could not signal " + g);
        h.onExit().orTimeout(60, TimeUnit.SECONDS).join();
    }

    /** The register calls the stand-in logged, by service port (the last one of each). */
    private Map<Integer, JsonNode> registrations() throws IOException {
        Map<Integer, JsonNode> out = new LinkedHashMap<>();
        for (String line : log("consul-standin").split("\n")) {
            if (!line.startsWith("{")) {
                continue;
            }
            JsonNode request = JSON.readTree(line);
            if (request.path("path").asText().equals("/v1/agent/service/register")) {
                JsonNode body = JSON.readTree(request.path("body").asText());
                out.put(body.path("Port").asInt(), body);
            }
        }
        return out;
    }

    private JsonNode health(String consul, boolean passing) {
        HttpResponse<String> r = get(consul + "/v1/health/service/concierge-gateway" + (passing ? "?passing" : ""), null);
        assertEquals(200, r.statusCode(), r.body());
        try {
            return JSON.readTree(r.body());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private JsonNode entry(String consul, int port) {
        for (JsonNode entry : health(consul, false)) {
            if (entry.path("Service").path("Port").asInt() == port) {
                return entry;
            }
        }
        throw new AssertionError("no instance on port " + port + " in the stand-in");
    }

    private Set<Integer> allPorts(String consul) {
        Set<Integer> out = new TreeSet<>();
        health(consul, false).forEach(entry -> out.add(entry.path("Service").path("Port").asInt()));
        return out;
    }

    private Set<Integer> passingPorts(String consul) {
        Set<Integer> out = new TreeSet<>();
        health(consul, true).forEach(entry -> out.add(entry.path("Service").path("Port").asInt()));
        return out;
    }

    /** The instances the edge routes a domain to, from its admin /health. */
    private List<String> edgeInstances(int edgeAdmin, String domain) {
        HttpResponse<String> r = get("http://127.0.0.1:" + edgeAdmin + "/health", null);
        try {
            List<String> out = new ArrayList<>();
            JSON.readTree(r.body()).path("domains").path(domain).path("instances").forEach(n -> out.add(n.asText()));
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private String login(String edge, String user, String password) throws IOException {
        HttpResponse<String> r = post(edge + "/api/auth/login",
                "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("token").asText();
    }

    // --- HTTP and processes ---------------------------------------------------------------------

    private HttpResponse<String> get(String url, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.GET());
    }

    private HttpResponse<String> post(String url, String json) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private Process start(String name, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(Checkout.ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private boolean alive(Process p, String name) {
        if (!p.isAlive()) {
            throw new AssertionError(name + " exited with " + p.exitValue() + ":\n" + log(name));
        }
        return true;
    }

    private String log(String name) {
        try {
            return Files.readString(work.resolve(name + ".log"));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static String javaLauncher() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
