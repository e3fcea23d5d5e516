package io.concierge.demo.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.demo.products.ProductService;
import io.concierge.demo.users.UserService;
import io.concierge.edge.EdgeConfig;
import io.concierge.edge.EdgeServer;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.MemoryDiscovery;
import io.helidon.webserver.WebServer;

/**
 * The demo mesh in one JVM, for the end-to-end demo-contract tests of this module: the real users,
 * products and orders services, gateways started from the real {@code domains/<d>/gateway.yaml}
 * files, and an edge in front, all on ephemeral ports sharing one discovery. Requests go through the
 * edge, as {@code ./concierge demo} serves them. Lives in the orders module because it is the one
 * that depends on every demo service already.
 */
final class DemoMesh implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EDGE = """
            listen: {host: 127.0.0.1, port: 0}
            admin: {host: 127.0.0.1, port: 0}
            upstream:
              timeouts: {connect: 500ms, read: 10s}
            """;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private EdgeServer edge;

    private DemoMesh() {
    }

    /**
     * Starts the services, one gateway per entry of {@code gatewayDomains} (a domain listed twice
     * runs two instances), and the edge.
     */
    static DemoMesh start(String jwtSecret, List<String> gatewayDomains) {
        DemoMesh mesh = new DemoMesh();
        try {
            MemoryDiscovery discovery = new MemoryDiscovery();
            WebServer users = UserService.start(0, jwtSecret);
            mesh.resources.add(users::stop);
            WebServer products = ProductService.start(0);
            mesh.resources.add(products::stop);
            WebServer orders = OrderService.start(0);
            mesh.resources.add(orders::stop);
            Map<String, String> env = Map.of("USER_SERVICE_PORT", String.valueOf(users.port()),
                    "PRODUCT_SERVICE_PORT", String.valueOf(products.port()),
                    "ORDER_SERVICE_PORT", String.valueOf(orders.port()),
                    "JWT_SECRET", jwtSecret);
            for (String domain : gatewayDomains) {
                GatewayConfig config = GatewayConfig.load(Path.of("..", domain, "gateway.yaml"), env::get);
                mesh.resources.add(0, GatewayServer.start(config, discovery));
            }
            mesh.edge = EdgeServer.start(EdgeConfig.parse("edge.yaml", EDGE, Map.<String, String>of()::get), discovery);
            mesh.resources.add(0, mesh.edge::close);
            return mesh;
        } catch (RuntimeException e) {
            mesh.close();
            throw e;
        }
    }

    /** A GET through the edge; {@code headers} are name, value pairs. */
    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            b.headers(headers);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A demo user's token from the users service's login, through the edge (password: name + "-pw"). */
    String login(String user) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/api/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"" + user + "-pw\"}"))
                .build();
        return json(http.send(req, HttpResponse.BodyHandlers.ofString()), 200).path("token").asText();
    }

    /** The body as JSON, after checking the status. */
    static JsonNode json(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception ignored) {
                // stopping the rest matters more
            }
        }
        resources.clear();
        http.close();
    }
}
