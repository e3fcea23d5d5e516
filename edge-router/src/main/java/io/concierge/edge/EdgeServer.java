package io.concierge.edge;

import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.edge.console.ConsoleEndpoints;
import io.concierge.edge.protection.EdgeTls;
import io.concierge.edge.protection.TlsConfig;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.server.ChainHandler;
import io.concierge.gateway.server.HealthReport;
import io.concierge.gateway.server.Listeners;
import io.concierge.gateway.server.ServerAssembly;
import io.concierge.gateway.server.ServerRuntime;
import io.concierge.gateway.telemetry.Telemetry;
import io.concierge.gateway.telemetry.Tracing;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

/** The running edge router: public listener, admin listener, and the dispatcher fed by discovery. */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EdgeServer.class.getName());
    private static final String HTTPS = "https";

    private final WebServer server;
    private final PrefixDispatcher dispatcher;
    private final ServerRuntime runtime;
    private final EdgeTls tlsWatch;
    private final Telemetry telemetry;
    private final ConsoleEndpoints console;
    private final EdgeConfig config;

    private EdgeServer(EdgeConfig config, Discovery discovery, HazelcastInstance cluster, Tracing tracing,
                       boolean ownsTracing) {
        this.config = config;
        this.dispatcher = new PrefixDispatcher(config);
        this.runtime = ServerRuntime.edge(config.rateLimits(), cluster);
        this.telemetry = new Telemetry("edge", tracing, ownsTracing, config.accessLog());
        HealthReport health = new HealthReport(new EdgeHealth(dispatcher), discovery::describe)
                .section("rateLimiting", runtime::rateLimitHealth)
                .section("security", () -> runtime.securityStats().snapshot());
        DispatchStep dispatch = new DispatchStep(dispatcher, new ProxyEngine("concierge-edge", telemetry),
                config.connectTimeout(), config.readTimeout());
        ChainHandler handler = new ChainHandler(EdgeChain.build(config, runtime, health::sendStatus, dispatch), telemetry);
        var admin = EdgeObservability.admin(config, discovery, dispatcher, runtime, telemetry);
        this.console = new ConsoleEndpoints(discovery, config.adminToken(),
                EdgeObservability.consoleView(admin, dispatcher, runtime, telemetry), this::adminSelf);
        admin.routes(console::register);
        TlsConfig tls = config.protection().tls();
        this.server = ServerAssembly.start(withTls(ServerAssembly.listeners(config.listen(), config.admin(),
                config.limits(), runtime.clientTimeouts(), handler, health, admin), config, tls, handler), this::release);
        this.tlsWatch = tls == null ? null : EdgeTls.watch(tls, t -> server.reloadTls(HTTPS, t));
        discovery.watch(dispatcher::update);
    }

    /** The edge's own admin port as the console's actions address it ({@code target=edge}). */
    private Registration adminSelf() {
        String host = config.admin().host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        return new Registration("edge", "edge", List.of(), host, port(), adminPort(), 0L, Map.of());
    }

    /** HTTPS beside HTTP: the same chain and limits, TLS 1.2+ only, HTTP/2 by ALPN. */
    private WebServerConfig.Builder withTls(WebServerConfig.Builder b, EdgeConfig config, TlsConfig tls,
                                            ChainHandler handler) {
        if (tls == null) {
            return b;
        }
        try {
            b.putSocket(HTTPS, s -> {
                s.host(tls.host() != null ? tls.host() : config.listen().host()).port(tls.port())
                        .tls(EdgeTls.load(tls))
                        .routing(r -> ServerAssembly.publicRouting(r, handler));
                Listeners.applyTlsLimits(s, config.limits(), runtime.clientTimeouts());
            });
        } catch (RuntimeException e) {
            // Unreadable key material: nothing else would close what was built for this edge.
            release();
            throw e;
        }
        return b;
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
        EdgeServer edge = ServerAssembly.build(tracing, ownsTracing,
                () -> new EdgeServer(config, discovery, cluster, tracing, ownsTracing));
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
        return server.port(ServerAssembly.ADMIN);
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
        release();
    }

    private void release() {
        if (console != null) {
            console.close();
        }
        dispatcher.close();
        runtime.close();
        telemetry.close();
    }

    /** Tracing, metrics and access log of the edge. */
    public Telemetry telemetry() {
        return telemetry;
    }
}
