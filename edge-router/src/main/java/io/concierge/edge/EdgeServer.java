package io.concierge.edge;

import java.util.logging.Logger;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.security.EdgeTls;
import io.concierge.gateway.security.TlsConfig;
import io.concierge.gateway.server.ChainHandler;
import io.concierge.gateway.server.ConnectionFraming;
import io.concierge.gateway.server.Listeners;
import io.concierge.gateway.server.RouteChains;
import io.concierge.gateway.server.ServerRuntime;
import io.concierge.gateway.telemetry.Telemetry;
import io.concierge.gateway.telemetry.Tracing;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

/** The running edge router: public listener, admin listener, and the dispatcher fed by discovery. */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EdgeServer.class.getName());
    private static final String ADMIN = "admin";
    private static final String HTTPS = "https";

    private final WebServer server;
    private final PrefixDispatcher dispatcher;
    private final ServerRuntime runtime;
    private final EdgeTls tlsWatch;
    private final Telemetry telemetry;

    private EdgeServer(EdgeConfig config, Discovery discovery, HazelcastInstance cluster, Tracing tracing,
                       boolean ownsTracing) {
        this.dispatcher = new PrefixDispatcher(config);
        this.runtime = ServerRuntime.edge(config.rateLimits(), cluster);
        this.telemetry = new Telemetry("edge", tracing, ownsTracing, config.accessLog());
        EdgeHealth health = new EdgeHealth(dispatcher, discovery::describe);
        health.addSection("rateLimiting", runtime::rateLimitHealth);
        health.addSection("security", () -> runtime.securityStats().snapshot());
        DispatchStep dispatch = new DispatchStep(dispatcher, new ProxyEngine("concierge-edge", telemetry), config);
        ChainHandler handler = new ChainHandler(RouteChains.edge(config.limits().allowEncodedSlash(),
                config.protection(), config.rateLimits(), runtime, health::sendStatus, dispatch), telemetry);
        var admin = EdgeObservability.admin(config, discovery, dispatcher, runtime, telemetry);
        WebServerConfig.Builder b = WebServer.builder()
                .host(config.listen().host())
                .port(config.listen().port())
                .routing(r -> r.addFilter(ConnectionFraming.FILTER).any(handler))
                .putSocket(ADMIN, s -> Listeners.applyAdmin(s.host(config.admin().host()).port(config.admin().port())
                        .routing(r -> {
                            r.get("/health", (req, res) -> health.send(res));
                            admin.register(r);
                        })));
        Listeners.applyLimits(b, config.limits(), config.listen().h2c(), runtime.clientTimeouts());
        TlsConfig tls = config.protection().tls();
        if (tls != null) {
            // HTTPS beside HTTP: the same handler and limits, TLS 1.2+ only, HTTP/2 by ALPN.
            b.putSocket(HTTPS, s -> {
                s.host(tls.host() != null ? tls.host() : config.listen().host()).port(tls.port())
                        .tls(EdgeTls.load(tls))
                        .routing(r -> r.addFilter(ConnectionFraming.FILTER).any(handler));
                Listeners.applyTlsLimits(s, config.limits(), runtime.clientTimeouts());
            });
        }
        this.server = b.build().start();
        this.tlsWatch = tls == null ? null : EdgeTls.watch(tls, t -> server.reloadTls(HTTPS, t));
        discovery.watch(dispatcher::update);
    }

    /** Starts an edge without a cluster; the caller owns {@code discovery}. */
    public static EdgeServer start(EdgeConfig config, Discovery discovery) {
        return start(config, discovery, null);
    }

    /** Starts the edge; the caller owns {@code discovery} and {@code cluster} (may be null). */
    public static EdgeServer start(EdgeConfig config, Discovery discovery, HazelcastInstance cluster) {
        return start(config, discovery, cluster, Tracing.fromEnvironment("concierge-edge"), true);
    }

    /** Starts the edge with the given tracing (tests); the caller owns and closes {@code tracing}. */
    public static EdgeServer start(EdgeConfig config, Discovery discovery, HazelcastInstance cluster, Tracing tracing) {
        return start(config, discovery, cluster, tracing, false);
    }

    private static EdgeServer start(EdgeConfig config, Discovery discovery, HazelcastInstance cluster,
                                    Tracing tracing, boolean ownsTracing) {
        EdgeServer edge;
        try {
            edge = new EdgeServer(config, discovery, cluster, tracing, ownsTracing);
        } catch (RuntimeException e) {
            if (ownsTracing) {
                tracing.close();
            }
            throw e;
        }
        LOG.info(() -> "edge router on http://" + config.listen().host() + ":" + edge.port() + " (admin port "
                + edge.adminPort() + ")");
        return edge;
    }

    public int port() {
        return server.port();
    }

    /** The HTTPS port, or -1 without TLS. */
    public int tlsPort() {
        return server.hasTls(HTTPS) ? server.port(HTTPS) : -1;
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
        if (tlsWatch != null) {
            tlsWatch.close();
        }
        server.stop();
        dispatcher.close();
        runtime.close();
        telemetry.close();
    }

    /** Tracing, metrics and access log of the edge. */
    public Telemetry telemetry() {
        return telemetry;
    }
}
