package io.concierge.gateway.grpc;

import java.io.IOException;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code grpc.descriptors: reflection}: the gateway fetches the descriptors at load from the first instance
 * that answers the standard server reflection ({@link TestGrpcService} registers it) and then transcodes
 * exactly as with the descriptor set file; no instance answering is a load error naming file and YAML path.
 */
class GrpcReflectionIT {
    private static final Resources RESOURCES = new Resources();
    private static TestGrpcService grpc;
    private static GatewayServer fromFile;
    private static GatewayServer fromReflection;

    private static String yaml(String descriptors, String instances) {
        return """
                domain: test
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                services:
                  grpc-test:
                    grpc:
                      descriptors: %s
                      %s
                    instances:
                %s
                routes:
                  - id: echo
                    match: {path: "/api/echo/{id}", methods: [GET]}
                    service: grpc-test
                    grpc:
                      method: concierge.test.TestService/Echo
                      path-params: {id: item_id}
                      query: {label: inner.label, n: numbers}
                  - id: put-item
                    match: {path: "/api/items/{item}", methods: [PUT]}
                    service: grpc-test
                    grpc: {method: concierge.test.TestService/PutItem}
                """.formatted(descriptors, descriptors.equals("reflection") ? "reflection-timeout: 3s" : "",
                instances);
    }

    private static String instances(int... ports) {
        StringBuilder b = new StringBuilder();
        for (int p : ports) {
            b.append("          - url: http://127.0.0.1:").append(p).append('\n');
        }
        return b.toString().stripTrailing();
    }

    @BeforeAll
    static void start() throws IOException {
        grpc = RESOURCES.track(new TestGrpcService());
        fromFile = RESOURCES.track(TestGateways.start(yaml(TestGrpcService.DESCRIPTORS.toString(),
                instances(grpc.port()))));
        // The first instance is down: reflection goes on to the next one.
        fromReflection = RESOURCES.track(TestGateways.start(yaml("reflection",
                instances(WireUpstream.closedPort(), grpc.port()))));
    }

    @AfterAll
    static void stop() throws Exception {
        RESOURCES.close();
    }

    @Test
    void aRouteOnReflectedDescriptorsTranscodesLikeOneOnTheDescriptorSetFile() throws IOException {
        String target = "/api/echo/a%20b?text=hi&count=-3&big=9007199254740993&color=GREEN&n=1&n=2&label=L";
        WireResponse file = WireClient.exchange(fromFile.port(), "GET", target);
        // The reflection gateway balances over a dead instance too: its first call may be a 503.
        WireResponse reflected = WireClient.exchange(fromReflection.port(), "GET", target);
        if (reflected.status() == 503) {
            reflected = WireClient.exchange(fromReflection.port(), "GET", target);
        }

        assertEquals(200, file.status(), file.toString());
        assertEquals(200, reflected.status(), reflected.toString());
        assertEquals(file.json().get("echoed"), reflected.json().get("echoed"));
        assertEquals("a b", reflected.json().get("echoed").get("itemId").asText());
        assertEquals("9007199254740993", reflected.json().get("echoed").get("big").asText());
    }

    @Test
    void theGoogleApiHttpOptionsArriveThroughReflection() {
        // PutItem's route has no explicit mapping: it binds only if the method's google.api.http option
        // (PUT /api/items/{item_id}, body "*") survived the reflection exchange.
        GatewayConfig config = GatewayConfig.parse("test.yaml", yaml("reflection", instances(grpc.port())),
                Map.<String, String>of()::get);
        assertEquals("concierge.test.TestService/PutItem", config.routes().get(1).grpc().method());
        assertTrue(config.services().get("grpc-test").grpc().descriptors().serviceNames()
                .contains("concierge.test.TestService"));
        assertTrue(config.services().get("grpc-test").grpc().descriptors().serviceNames().stream()
                .noneMatch(s -> s.startsWith("grpc.reflection.")), "the reflection service itself is left out");
    }

    @Test
    void noInstanceAnsweringReflectionIsALoadErrorNamingFileAndYamlPath() {
        int down = WireUpstream.closedPort();
        String e = assertThrows(ConfigException.class, () -> GatewayConfig.parse("test.yaml",
                yaml("reflection", instances(down)), Map.<String, String>of()::get)).getMessage();
        assertTrue(e.startsWith("test.yaml: services.grpc-test.grpc.descriptors: no instance of 'grpc-test' "
                + "answered gRPC server reflection within 3000ms: 127.0.0.1:" + down + " (UNAVAILABLE"), e);
    }

    @Test
    void aReflectionTimeoutWithoutReflectionIsALoadError() {
        String yaml = yaml(TestGrpcService.DESCRIPTORS.toString(), instances(grpc.port()))
                .replace("      \n", "      reflection-timeout: 1s\n");
        String e = assertThrows(ConfigException.class, () -> GatewayConfig.parse("test.yaml", yaml,
                Map.<String, String>of()::get)).getMessage();
        assertEquals("test.yaml: services.grpc-test.grpc.reflection-timeout: applies only with descriptors: reflection",
                e);
    }
}
