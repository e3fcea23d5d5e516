package io.concierge.gateway.testing;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;

/** Starts real gateways from YAML text on ephemeral ports, with no discovery. */
public final class TestGateways {
    private TestGateways() {
    }

    /** Parses {@code yaml} as {@code test.yaml} and starts a gateway on it. */
    public static GatewayServer start(String yaml) {
        return GatewayServer.start(GatewayConfig.parse("test.yaml", yaml, System::getenv),
                new StaticDiscovery(List.of()));
    }

    /**
     * A gateway owning {@code /api} with one service {@code backend} over the given ports and one
     * route {@code all} for {@code /api/**}; {@code serviceExtra} and {@code serverExtra} are YAML
     * lines inserted under the service and under {@code server} (may be empty).
     */
    public static String oneRouteYaml(String serverExtra, String serviceExtra, int... ports) {
        String instances = IntStream.of(ports)
                .mapToObj(p -> "      - url: http://127.0.0.1:" + p)
                .collect(Collectors.joining("\n"));
        return """
                domain: test
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                server:
                  read-timeout: 30s
                %s
                services:
                  backend:
                %s
                    instances:
                %s
                routes:
                  - id: all
                    match: {path: /api/**}
                    service: backend
                """.formatted(indent(serverExtra, "  "), indent(serviceExtra, "    "), instances);
    }

    public static GatewayServer startOneRoute(int... ports) {
        return start(oneRouteYaml("", "", ports));
    }

    private static String indent(String lines, String prefix) {
        if (lines.isBlank()) {
            return "";
        }
        return lines.lines().map(l -> prefix + l).collect(Collectors.joining("\n"));
    }
}
