package io.concierge.edge;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cross-domain composition on a real Hazelcast cluster: the orders gateway finds the users
 * gateways in the embedded registry and calls them directly; the client goes through the edge.
 * Users gateways die one after the other (their cluster member terminated and their listener
 * gone, without deregistering): the composition keeps answering from the one left, then fails
 * only its users part, with 503.
 */
class CompositionMeshIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USERS = """
            domain: users
            prefixes: [/api/users]
            services:
              user-service:
                instances: [{url: "http://127.0.0.1:%d"}]
            routes:
              - id: user-by-id
                match: {path: "/api/users/{id}", methods: [GET]}
                service: user-service
            """;
    private static final String ORDERS = """
            domain: orders
            prefixes: [/api/orders, /api/order-summary]
            services:
              order-service:
                instances: [{url: "http://127.0.0.1:%d"}]
            routes:
              - id: order-by-id
                match: {path: "/api/orders/{id}", methods: [GET]}
                service: order-service
            compositions:
              - id: order-summary
                match: {path: "/api/order-summary/{id}"}
                timeout: 5s
                calls:
                  - {name: order, service: order-service, path: "/api/orders/${path.id}", at: .}
                  - {name: customer, domain: users, path: "/api/users/${order.userId}"}
            """;

    private static MeshFixture mesh;
    private static MeshFixture.Member users1Member;
    private static MeshFixture.Member users2Member;
    private static GatewayServer users1;
    private static GatewayServer users2;
    private static GatewayServer orders;
    private static EdgeServer edge;
    private static WebServer userService;
    private static WebServer orderService;

    private static WebServer jsonService(String name, String body) {
        return WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.any((req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(body.replace("$ID", req.prologue().uriPath().rawPath().replaceAll(".*/", ""))
                            .replace("$NAME", name));
                }))
                .build().start();
    }

    private static GatewayServer gateway(MeshFixture.Member member, String yaml) {
        return GatewayServer.start(GatewayConfig.parse("test.yaml", yaml, k -> null), member.registry());
    }

    @BeforeAll
    static void start() {
        mesh = new MeshFixture();
        userService = jsonService("users", "{\"id\":\"$ID\",\"name\":\"user $ID\"}");
        orderService = jsonService("orders", "{\"id\":\"$ID\",\"userId\":\"u7\"}");
        MeshFixture.Member edgeMember = mesh.member("edge");
        users1Member = mesh.member("users-1");
        users2Member = mesh.member("users-2");
        MeshFixture.Member ordersMember = mesh.member("orders");
        users1 = gateway(users1Member, USERS.formatted(userService.port()));
        users2 = gateway(users2Member, USERS.formatted(userService.port()));
        orders = gateway(ordersMember, ORDERS.formatted(orderService.port()));
        edge = mesh.edge(edgeMember);
        Poll.until("the orders gateway sees both users gateways", Duration.ofSeconds(20),
                () -> usersSeenByOrders() == 2);
        Poll.until("the edge routes to orders", Duration.ofSeconds(20),
                () -> mesh.get(edge.port(), "/api/order-summary/o1").statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        for (GatewayServer g : new GatewayServer[] {orders, users1, users2}) {
            try {
                g.close();
            } catch (RuntimeException alreadyGone) {
                // a crashed gateway's member is gone
            }
        }
        edge.close();
        mesh.close();
        userService.stop();
        orderService.stop();
    }

    private static int usersSeenByOrders() {
        try {
            JsonNode h = JSON.readTree(mesh.get(orders.adminPort(), "/health").body());
            return h.path("composition").path("domains").path("users").asInt(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    /** A gateway process dying: its cluster member vanishes without deregistering, its listener closes. */
    private static void crash(MeshFixture.Member member, GatewayServer gateway) {
        member.crash();
        try {
            gateway.close();
        } catch (RuntimeException registryGone) {
            // deregistering through a terminated member fails; the listener is stopped anyway
        }
    }

    @Test
    void theCompositionFindsTheOtherDomainInTheRegistryAndSurvivesItsGatewaysDying() throws Exception {
        HttpResponse<String> ok = mesh.get(edge.port(), "/api/order-summary/o1");
        assertEquals(200, ok.statusCode(), ok.body());
        JsonNode doc = JSON.readTree(ok.body());
        assertEquals("o1", doc.path("id").asText());
        assertEquals("user u7", doc.path("customer").path("name").asText());

        crash(users1Member, users1);
        // Before and after the cluster notices, every request is answered by the gateway left.
        Set<Integer> statuses = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            statuses.add(mesh.get(edge.port(), "/api/order-summary/o" + i).statusCode());
        }
        assertEquals(Set.of(200), statuses);
        Poll.until("the registry drops the dead users gateway", Duration.ofSeconds(30), () -> usersSeenByOrders() == 1);
        assertEquals(200, mesh.get(edge.port(), "/api/order-summary/o2").statusCode());

        crash(users2Member, users2);
        HttpResponse<String> failed = mesh.get(edge.port(), "/api/order-summary/o3");
        assertEquals(503, failed.statusCode(), failed.body());
        JsonNode problem = JSON.readTree(failed.body());
        assertEquals("customer", problem.path("part").asText());
        assertTrue(problem.path("detail").asText().contains("domain 'users'"), problem.toString());
    }
}
