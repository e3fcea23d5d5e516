package io.concierge.edge;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.edge.console.ConsoleEndpoints;
import io.concierge.edge.protection.TlsConfig;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.reload.ConfigReloads;
import io.concierge.gateway.reload.Reloadable;
import io.concierge.gateway.reload.RestartOnly;
import io.concierge.gateway.server.ChainHandler;
import io.concierge.gateway.server.HealthReport;
import io.concierge.gateway.server.Listeners;
import io.concierge.gateway.server.Retirements;
import io.concierge.gateway.server.ServerAssembly;
import io.concierge.gateway.server.ServerRuntime;
import io.concierge.gateway.telemetry.FeatureMetrics;
import io.concierge.gateway.telemetry.Telemetry;
import io.concierge.gateway.telemetry.Tracing;
import io.concierge.gateway.tls.ServerTls;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

/**
 * The running edge router: public listener, admin listener, and the dispatcher fed by discovery.
 * A reload of edge.yaml ({@link #reloads}) rebuilds the chain (protection, CORS, limits, dispatch
 * timeouts) and the dispatcher's settings and swaps them in; listeners, TLS and the discovery watch stay.
 */
public final class EdgeServer implements AutoCloseable, Reloadable {
    private static final Logger LOG = Logger.getLogger(EdgeServer.class.getName());
    private static final String HTTPS = "https";

    /** What only a restart can change; everything else in edge.yaml reloads live. */
    private static final RestartOnly<EdgeConfig> RESTART_ONLY = new RestartOnly<EdgeConfig>()
            .setting("listen", c -> RestartOnly.listener(c.listen()))
            .setting("admin", c -> RestartOnly.listener(c.admin()))
            .setting("server", EdgeConfig::limits)
            .setting("cluster", EdgeConfig::cluster)
            .setting("discovery", c -> RestartOnly.discovery(c.discovery()))
            .setting("access-log", EdgeConfig::accessLog)
            .setting("protection.tls", c -> c.protection().tls());

    private final WebServer server;
    private final PrefixDispatcher dispatcher;
    private final HazelcastInstance cluster;
    private final ServerTls tlsWatch;
    private final Telemetry telemetry;
    private final ChainHandler handler;
    private final ProxyEngine engine;
    private final HealthReport health;
    private final ConfigReloads<EdgeConfig> reloads;
    private final Retirements retirements = new Retirements("edge");
    private volatile ServerRuntime runtime;
    private final ConsoleEndpoints console;
    /** The configuration the edge started with: its admin listener, which a reload cannot change. */
    private final EdgeConfig config;

    private EdgeServer(EdgeConfig config, Discovery discovery, HazelcastInstance cluster, Tracing tracing,
                       boolean ownsTracing) {
        this.cluster = cluster;
        this.config = config;
        this.dispatcher = new PrefixDispatcher(config);
        this.runtime = ServerRuntime.edge(config.rateLimits(), cluster);
        ServerRuntime first = runtime;
        this.telemetry = new Telemetry("edge", tracing, ownsTracing, config.accessLog());
        if (cluster != null) {
            telemetry.addMetrics(FeatureMetrics.clusterMaps(cluster));
        }
        this.health = new HealthReport(new EdgeHealth(dispatcher), discovery::describe)
                .section("rateLimiting", () -> runtime.rateLimitHealth())
                .section("security", () -> first.securityStats().snapshot());
        this.engine = new ProxyEngine("concierge-edge", telemetry);
        this.handler = new ChainHandler(chain(config, first), telemetry);
        this.reloads = new ConfigReloads<>("edge", fileOf(config.file()), config, new Target());
        var admin = EdgeObservability.admin(config, discovery, dispatcher, () -> runtime, reloads, telemetry);
        this.console = new ConsoleEndpoints(discovery, config.adminToken(),
                EdgeObservability.consoleView(admin, dispatcher, () -> runtime, telemetry), this::adminSelf);
        admin.routes(console::register);
        TlsConfig tls = config.protection().tls();
        this.server = ServerAssembly.start(withTls(ServerAssembly.listeners(config.listen(), config.admin(),
                config.limits(), first.clientTimeouts(), handler, health, admin), config, tls, handler), this::release);
        this.tlsWatch = tls == null ? null : ServerTls.watch(tls.material(), t -> server.reloadTls(HTTPS, t));
        discovery.watch(dispatcher::update);
    }

    private io.concierge.gateway.pipeline.Chain chain(EdgeConfig config, ServerRuntime rt) {
        DispatchStep dispatch = new DispatchStep(dispatcher, engine, config.connectTimeout(), config.readTimeout());
        return EdgeChain.build(config, rt, health::sendStatus, dispatch);
    }

    /** The edge.yaml side of a reload: load, what needs a restart, build the chain and swap it in. */
    private final class Target implements ConfigReloads.Target<EdgeConfig> {
        @Override
        public EdgeConfig load(Path file) {
            return EdgeConfig.load(file);
        }

        @Override
        public String restartNeeded(EdgeConfig running, EdgeConfig next) {
            return RESTART_ONLY.check(running, next);
        }

        @Override
        public void apply(EdgeConfig next) {
            ServerRuntime old = runtime;
            ServerRuntime rt = old.edgeReloaded(next.rateLimits(), cluster);
            if (rt.rateLimiting() != null) {
                rt.rateLimiting().beginReload();
            }
            io.concierge.gateway.pipeline.Chain chain;
            try {
                chain = chain(next, rt);
            } catch (RuntimeException e) {
                rt.closeUnshared(old);
                throw e;
            }
            // Dispatcher settings, then the chain: a request on the old chain still finds a group.
            List<AutoCloseable> retired = dispatcher.reconfigure(next);
            runtime = rt;
            handler.swap(chain);
            if (rt.rateLimiting() != null) {
                rt.rateLimiting().endReload();
            }
            if (!retired.isEmpty()) {
                retirements.after(next.readTimeout().multipliedBy(2).plusSeconds(5), retired);
            }
        }

        @Override
        public String version(EdgeConfig config) {
            return null; // edge.yaml has no version key: its SHA-256 tells files apart
        }
    }

    private static Path fileOf(String file) {
        try {
            return file == null ? null : Path.of(file);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** Reload the edge.yaml it was started from; the launcher turns on the file watch and SIGHUP. */
    @Override
    public ConfigReloads<EdgeConfig> reloads() {
        return reloads;
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
                        .tls(ServerTls.load(tls.material()))
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

    /** A domain's gateway group and failover state now (tests: what a reload keeps or rebuilds). */
    PrefixDispatcher.Target dispatchTarget(String domain) {
        return dispatcher.target(domain);
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
        if (reloads != null) {
            reloads.close();
        }
        retirements.close();
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
