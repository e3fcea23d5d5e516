package io.concierge.edge;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.cluster.ClusterMember;
import io.concierge.gateway.config.ClusterConfig;
import io.concierge.gateway.discovery.EmbeddedRegistry;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.concierge.gateway.testing.Poll;

/**
 * A small real mesh for tests: a Hazelcast cluster on loopback (unique name, free port block),
 * upstream services, gateways and an edge, each with its own cluster member as in production.
 */
final class MeshFixture implements AutoCloseable {
    final String clusterName = "test-" + UUID.randomUUID();
    final int basePort = Poll.freePortBlock(20);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<AutoCloseable> resources = new ArrayList<>();

    ClusterConfig cluster() {
        return new ClusterConfig(clusterName, "127.0.0.1", basePort, 20, List.of("127.0.0.1"), Duration.ofSeconds(3));
    }

    /** A cluster member with the registry on it; closed with the fixture unless closed earlier. */
    Member member(String name) {
        HazelcastInstance hz = ClusterMember.start(cluster(), name + "-" + UUID.randomUUID());
        Member m = new Member(hz, new EmbeddedRegistry(hz));
        resources.add(m);
        return m;
    }

    /** An upstream that answers every request with its own name, the path it got and a 200. */
    WebServer upstream(String name) {
        WebServer s = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.any((req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "text/plain");
                    res.header("X-Served-By", name);
                    res.send(name + " " + req.prologue().uriPath().rawPath());
                }))
                .build().start();
        resources.add(s::stop);
        return s;
    }

    GatewayServer gateway(Member member, String domain, List<String> prefixes, WebServer upstream) {
        return gateway(member, domain, prefixes, upstream.port(), null);
    }

    /** As above, for an upstream on {@code upstreamPort}, with the given tracing (null: from the environment). */
    GatewayServer gateway(Member member, String domain, List<String> prefixes, int upstreamPort,
                          io.concierge.gateway.telemetry.Tracing tracing) {
        StringBuilder routes = new StringBuilder();
        for (int i = 0; i < prefixes.size(); i++) {
            routes.append("  - id: r").append(i).append("\n    match: {path: ").append(prefixes.get(i))
                    .append("/**}\n    service: svc\n");
        }
        String yaml = "domain: " + domain + "\n"
                + "prefixes: [" + String.join(", ", prefixes) + "]\n"
                + "services:\n  svc:\n    instances:\n      - url: http://127.0.0.1:" + upstreamPort + "\n"
                + "routes:\n" + routes;
        GatewayConfig config = GatewayConfig.parse(domain + ".yaml", yaml, k -> null);
        GatewayServer g = tracing == null ? GatewayServer.start(config, member.registry())
                : GatewayServer.start(config, member.registry(), null, tracing);
        resources.add(g);
        return g;
    }

    EdgeServer edge(Member member) {
        return edge(member, null);
    }

    /** As above, with the given tracing (null: from the environment, i.e. off in tests). */
    EdgeServer edge(Member member, io.concierge.gateway.telemetry.Tracing tracing) {
        return edge(member, tracing, k -> null);
    }

    /** As above, with {@code env} as the edge's environment (e.g. its {@code ADMIN_TOKEN}). */
    EdgeServer edge(Member member, io.concierge.gateway.telemetry.Tracing tracing,
                    java.util.function.Function<String, String> env) {
        EdgeConfig config = EdgeConfig.parse("edge.yaml", "listen: {port: 0}\nadmin: {port: 0}\n", env);
        EdgeServer e = tracing == null ? EdgeServer.start(config, member.registry())
                : EdgeServer.start(config, member.registry(), null, tracing);
        resources.add(e);
        return e;
    }

    /** Closes {@code resource} with the fixture (before what was started earlier). */
    <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    HttpResponse<String> get(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception ignored) {
                // Best effort: the next resource must still be closed.
            }
        }
    }

    record Member(HazelcastInstance hz, EmbeddedRegistry registry) implements AutoCloseable {
        /** Simulates a crash: the member vanishes without deregistering. */
        void crash() {
            hz.getLifecycleService().terminate();
        }

        @Override
        public void close() {
            registry.close();
            if (hz.getLifecycleService().isRunning()) {
                hz.shutdown();
            }
        }
    }
}
