package io.concierge.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.reload.ReloadResult;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.WireClient;

/**
 * A reload of a gateway with a gRPC service: the descriptors are read again (they have no equality
 * of their own), yet an otherwise unchanged service keeps its channels, and new gRPC routes bind.
 */
class GrpcReloadIT {
    @TempDir
    Path dir;

    private final Resources resources = new Resources();

    @AfterEach
    void close() throws Exception {
        resources.close();
    }

    private static String yaml(int grpcPort, boolean withCount) {
        return """
                domain: test
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                services:
                  grpc-test:
                    grpc:
                      descriptors: %s
                    instances:
                      - url: http://127.0.0.1:%d
                routes:
                  - id: echo
                    match: {path: "/api/echo/{id}", methods: [GET]}
                    service: grpc-test
                    grpc:
                      method: concierge.test.TestService/Echo
                      path-params: {id: item_id}
                """.formatted(TestGrpcService.DESCRIPTORS, grpcPort) + (withCount ? """
                  - id: count
                    match: {path: /api/count}
                    service: grpc-test
                    grpc: {method: concierge.test.TestService/Count}
                """ : "");
    }

    @Test
    void anUnchangedGrpcServiceKeepsItsChannelsAcrossAReload() throws Exception {
        TestGrpcService grpc = resources.track(new TestGrpcService());
        Path file = Files.writeString(dir.resolve("gateway.yaml"), yaml(grpc.port(), false));
        GatewayServer g = resources.track(GatewayServer.start(GatewayConfig.load(file, k -> null),
                new StaticDiscovery(List.of())));
        assertEquals(200, WireClient.exchange(g.port(), "GET", "/api/echo/a").status());
        assertEquals(404, WireClient.exchange(g.port(), "GET", "/api/count").status());
        GrpcChannels channels = g.grpcChannels("grpc-test");

        Files.writeString(file, yaml(grpc.port(), true));
        assertEquals(ReloadResult.APPLIED, g.reloads().reload("test").result());
        assertSame(channels, g.grpcChannels("grpc-test"));
        assertEquals(200, WireClient.exchange(g.port(), "GET", "/api/echo/a").status());
        assertEquals(200, WireClient.exchange(g.port(), "GET", "/api/count").status());
    }
}
