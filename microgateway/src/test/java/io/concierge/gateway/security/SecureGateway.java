package io.concierge.gateway.security;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;

/** A real gateway started from YAML text for the security tests, and requests against it. */
final class SecureGateway implements AutoCloseable {
    final GatewayServer server;
    final GatewayConfig config;

    SecureGateway(String yaml) {
        this.config = GatewayConfig.parse("security-test.yaml", yaml, System::getenv);
        this.server = GatewayServer.start(config, new StaticDiscovery(List.of()));
    }

    /** The standard head of a test gateway: domain, loopback listeners, one prefix /api. */
    static String head(String domain) {
        return """
                domain: %s
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                """.formatted(domain);
    }

    static String service(int upstreamPort) {
        return """
                services:
                  backend:
                    instances:
                      - url: http://127.0.0.1:%d
                """.formatted(upstreamPort);
    }

    WireResponse get(String target, String... headers) throws IOException {
        return WireClient.exchange(server.port(), "GET", target, headers);
    }

    WireResponse bearer(String target, String token, String... more) throws IOException {
        List<String> h = new ArrayList<>();
        h.add("Authorization: Bearer " + token);
        h.addAll(List.of(more));
        return get(target, h.toArray(new String[0]));
    }

    SecurityStats stats() {
        return server.runtime().securityStats();
    }

    @Override
    public void close() {
        server.close();
    }
}
