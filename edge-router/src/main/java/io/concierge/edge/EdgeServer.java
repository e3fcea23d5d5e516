package io.concierge.edge;

import java.util.logging.Logger;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.pipeline.PipelineContext;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.server.Listeners;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

/** The running edge router: public listener, admin listener, and the dispatcher fed by discovery. */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EdgeServer.class.getName());
    private static final String ADMIN = "admin";

    private final WebServer server;
    private final PrefixDispatcher dispatcher;

    private EdgeServer(EdgeConfig config, Discovery discovery, HazelcastInstance cluster) {
        this.dispatcher = new PrefixDispatcher(config);
        EdgeHealth health = new EdgeHealth(dispatcher, discovery::describe);
        EdgeHandler handler = new EdgeHandler(dispatcher, new ProxyEngine("concierge-edge"), health, config,
                EdgePipelines.build(config, new PipelineContext("edge", cluster)));
        WebServerConfig.Builder b = WebServer.builder()
                .host(config.listen().host())
                .port(config.listen().port())
                .routing(r -> r.any(handler))
                .putSocket(ADMIN, s -> s.host(config.admin().host()).port(config.admin().port())
                        .routing(r -> r.get("/health", (req, res) -> health.send(res))));
        Listeners.applyLimits(b, config.limits());
        this.server = b.build().start();
        discovery.watch(dispatcher::update);
    }

    /** Starts an edge without a cluster; the caller owns {@code discovery}. */
    public static EdgeServer start(EdgeConfig config, Discovery discovery) {
        return start(config, discovery, null);
    }

    /** Starts the edge; the caller owns {@code discovery} and {@code cluster} (may be null). */
    public static EdgeServer start(EdgeConfig config, Discovery discovery, HazelcastInstance cluster) {
        EdgeServer edge = new EdgeServer(config, discovery, cluster);
        LOG.info(() -> "edge router on http://" + config.listen().host() + ":" + edge.port() + " (admin port "
                + edge.adminPort() + ")");
        return edge;
    }

    public int port() {
        return server.port();
    }

    public int adminPort() {
        return server.port(ADMIN);
    }

    /** Domains with at least one live instance, for tests and tooling. */
    public java.util.Map<String, Integer> liveInstances() {
        java.util.Map<String, Integer> m = new java.util.TreeMap<>();
        dispatcher.table().instances().forEach((d, rs) -> m.put(d, rs.size()));
        return m;
    }

    @Override
    public void close() {
        server.stop();
        dispatcher.close();
    }
}
