package io.concierge.gateway.server;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.ServiceConfig;
import io.concierge.gateway.grpc.GrpcChannels;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.reload.ConfigReloads;
import io.concierge.gateway.reload.Reloadable;
import io.concierge.gateway.reload.RestartOnly;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.telemetry.FeatureMetrics;
import io.concierge.gateway.telemetry.Telemetry;
import io.concierge.gateway.telemetry.Tracing;
import io.concierge.gateway.tls.ServerTls;
import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;

/**
 * A running domain gateway: the proxy listener, the admin listener, and its registration in
 * discovery. What a request needs (route table, upstream groups, pools) is built once per
 * configuration, as a {@link GatewayGeneration}; a reload of the file builds the next generation
 * and swaps it in without touching the listeners or the cluster membership ({@link #reloads}).
 */
public final class GatewayServer implements AutoCloseable, Reloadable, Drainable {
    private static final Logger LOG = Logger.getLogger(GatewayServer.class.getName());

    /** What only a restart can change; everything else in gateway.yaml reloads live. */
    private static final RestartOnly<GatewayConfig> RESTART_ONLY = new RestartOnly<GatewayConfig>()
            .setting("domain", GatewayConfig::domain)
            .setting("listen", c -> RestartOnly.listener(c.listen()))
            .setting("listen.tls", GatewayConfig::listenTls)
            .setting("admin", c -> RestartOnly.listener(c.admin()))
            .setting("server", GatewayConfig::limits)
            .setting("cluster", GatewayConfig::cluster)
            .setting("discovery", c -> RestartOnly.discovery(c.discovery()))
            .setting("access-log", GatewayConfig::accessLog)
            .setting("cache", GatewayConfig::cache)
            .setting("shutdown.grace-period", c -> c.shutdown().gracePeriod());

    private final Discovery discovery;
    private final WebServer server;
    /** Watches {@code listen.tls}'s files and hands renewed material to the listener; null when plain. */
    private final ServerTls tlsWatch;
    private final String instanceId;
    private final long startedAt = System.currentTimeMillis();
    private final Telemetry telemetry;
    private final ChainHandler handler;
    private final GatewayGeneration.Shared shared;
    private final ConfigReloads<GatewayConfig> reloads;
    private final Retirements retirements;
    private volatile GatewayGeneration current;
    private final Readiness readiness = Readiness.starting();
    private final AtomicBoolean deregistered = new AtomicBoolean();

    private GatewayServer(GatewayConfig config, Discovery discovery, HazelcastInstance cluster, Tracing tracing,
                          boolean ownsTracing) {
        // First, before anything that would need closing: unreadable key material fails the start.
        Tls publicTls = config.listenTls() == null ? null : ServerTls.load(config.listenTls());
        this.discovery = discovery;
        this.retirements = new Retirements("gateway-" + config.domain());
        ServerRuntime runtime = ServerRuntime.gateway(config, cluster);
        this.telemetry = new Telemetry(config.domain(), tracing, ownsTracing, config.accessLog());
        if (cluster != null) {
            telemetry.addMetrics(FeatureMetrics.clusterMaps(cluster));
        }
        String[] id = new String[1];
        // /health, /admin and /metrics are wired once; they read the running generation's state.
        Map<String, UpstreamGroup> services = new LiveMap<>(() -> current.services);
        Map<String, ServiceResilience> resilience = new LiveMap<>(() -> current.resilience);
        Map<String, GrpcChannels> grpcServices = new LiveMap<>(() -> current.grpcServices);
        HealthReport health = new HealthReport(new GatewayHealth(config.domain(), () -> id[0], services, resilience,
                grpcServices), discovery::describe)
                .section("security", () -> current.runtime.domainSecurity().describe())
                .section("rateLimiting", () -> current.runtime.rateLimitHealth());
        if (!config.compositions().isEmpty()) {
            health.section("composition", () -> current.compositions.describe());
        }
        this.shared = new GatewayGeneration.Shared(discovery, cluster,
                new ProxyEngine("concierge-" + config.domain(), telemetry), telemetry.tracing(), health::sendStatus);
        try {
            this.current = GatewayGeneration.first(config, runtime, shared);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        this.handler = new ChainHandler(current.chain, telemetry);
        this.reloads = new ConfigReloads<>("gateway '" + config.domain() + "'", fileOf(config.file()), config,
                new Target());
        var admin = GatewayObservability.admin(config, discovery, services, resilience, grpcServices,
                () -> current, runtime, reloads, telemetry);
        // Nothing else would stop the health checkers and JWKS refreshes of a gateway that never started.
        this.server = ServerAssembly.start(ServerAssembly.listeners(config.listen(), publicTls, config.admin(),
                config.limits(), runtime.clientTimeouts(), handler, health, admin, readiness,
                config.shutdown().gracePeriod()), this::releaseUpstreams);
        this.tlsWatch = publicTls == null ? null : ServerTls.watch(config.listenTls(), server::reloadTls);
        this.instanceId = config.domain() + "-" + config.listen().host() + "-" + server.port() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        id[0] = instanceId;
    }

    /** The gateway.yaml side of a reload: load, what needs a restart, build and swap, re-register. */
    private final class Target implements ConfigReloads.Target<GatewayConfig> {
        @Override
        public GatewayConfig load(Path file) {
            return GatewayConfig.load(file);
        }

        @Override
        public String restartNeeded(GatewayConfig running, GatewayConfig next) {
            return RESTART_ONLY.check(running, next);
        }

        @Override
        public void apply(GatewayConfig next) {
            GatewayGeneration old = current;
            GatewayGeneration gen = old.next(next, shared);
            current = gen;
            handler.swap(gen.chain);
            gen.serving();
            // Requests that started on the old chain may still use what only it owned.
            retirements.after(old.drainTime(), old.retiredBy(gen));
        }

        @Override
        public void applied(GatewayConfig next) {
            // The same instance id: the registry replaces the entry, so the edge follows the new prefixes.
            // A draining gateway stays out of the registry whatever its file says now.
            if (deregistered.get()) {
                return;
            }
            try {
                discovery.register(registration());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "gateway '" + next.domain() + "': re-registration after a reload failed; "
                        + "the registry's periodic resync will retry", e);
            }
        }

        @Override
        public String version(GatewayConfig config) {
            return config.version();
        }
    }

    private static Path fileOf(String file) {
        try {
            return file == null ? null : Path.of(file);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** Starts a gateway without a cluster; the caller owns {@code discovery}. */
    public static GatewayServer start(GatewayConfig config, Discovery discovery) {
        return start(config, discovery, null);
    }

    /**
     * Starts the gateway and registers it; the caller owns {@code discovery} and {@code cluster}
     * (null when the gateway runs without one).
     */
    public static GatewayServer start(GatewayConfig config, Discovery discovery, HazelcastInstance cluster) {
        return start(config, discovery, cluster, Tracing.fromEnvironment("concierge-" + config.domain()), true);
    }

    /**
     * Starts the gateway with the given tracing (tests: an in-memory or OTLP exporter); the caller
     * owns {@code tracing} and closes it after the gateway.
     */
    public static GatewayServer start(GatewayConfig config, Discovery discovery, HazelcastInstance cluster,
                                      Tracing tracing) {
        return start(config, discovery, cluster, tracing, false);
    }

    private static GatewayServer start(GatewayConfig config, Discovery discovery, HazelcastInstance cluster,
                                       Tracing tracing, boolean ownsTracing) {
        GatewayServer g = ServerAssembly.build(tracing, ownsTracing,
                () -> new GatewayServer(config, discovery, cluster, tracing, ownsTracing));
        discovery.register(g.registration());
        // Everything a request needs was built in the constructor: registered is ready.
        g.readiness.ready();
        LOG.info(() -> "gateway '" + config.domain() + "' serving " + config.prefixes() + " on "
                + (config.listenTls() != null ? "https://" : "http://")
                + config.listen().host() + ":" + g.port() + " (admin port " + g.adminPort() + ")");
        return g;
    }

    /**
     * This instance as the registry should list it, from the running configuration: its prefixes,
     * and in the metadata the config's version, the SHA-256 of its file and when the process started.
     */
    public Registration registration() {
        GatewayConfig config = current.config;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("version", config.version());
        if (reloads.sha256() != null) {
            meta.put("configSha256", reloads.sha256());
        }
        meta.put("startedAt", Long.toString(startedAt));
        if (config.listenTls() != null) {
            // The edge and composition calls reach this port over TLS only when the registry says so.
            meta.put(Registration.SCHEME, Registration.HTTPS);
        }
        // startedAt, not now: a re-registration after a reload must not lose a prefix conflict that the
        // earlier registration wins (the registry orders claims by registeredAt).
        return new Registration(instanceId, config.domain(), config.prefixes(), config.listen().host(), port(),
                adminPort(), startedAt, meta);
    }

    /** The running configuration's runtime: security and rate-limit state and counters. */
    public ServerRuntime runtime() {
        return current.runtime;
    }

    /** The configuration this gateway runs now (the last one applied). */
    public GatewayConfig config() {
        return current.config;
    }

    /** Reload the gateway.yaml it was started from; the launcher turns on the file watch and SIGHUP. */
    @Override
    public ConfigReloads<GatewayConfig> reloads() {
        return reloads;
    }

    /** The running generation's upstream group of {@code service} (tests: what survives a reload). */
    public UpstreamGroup upstreamGroup(String service) {
        return current.services.get(service);
    }

    /** The running generation's resilience (breakers) of {@code service}. */
    public ServiceResilience serviceResilience(String service) {
        return current.resilience.get(service);
    }

    /** The running generation's channels of the gRPC service {@code service}. */
    public GrpcChannels grpcChannels(String service) {
        return current.grpcServices.get(service);
    }

    private void releaseUpstreams() {
        reloads.close();
        retirements.close();
        current.closeAll();
        telemetry.close();
    }

    /** Tracing, metrics and access log of this gateway. */
    public Telemetry telemetry() {
        return telemetry;
    }

    public int port() {
        return server.port();
    }

    public int adminPort() {
        return server.port(ServerAssembly.ADMIN);
    }

    public String instanceId() {
        return instanceId;
    }

    static Map<String, UpstreamGroup> buildServices(GatewayConfig config) {
        Map<String, UpstreamGroup> groups = new LinkedHashMap<>();
        for (ServiceConfig s : config.services().values()) {
            if (s.grpc() == null) {
                groups.put(s.name(), GatewayGeneration.group(s));
            }
        }
        return groups;
    }

    /** The admin {@code /health/ready} state. */
    public Readiness readiness() {
        return readiness;
    }

    /**
     * On SIGTERM, before {@link #close()}: answers not-ready, deregisters, and keeps serving for
     * {@code shutdown.drain} while the edge (through its discovery watch) and load balancers (through
     * {@code /health/ready}) stop sending new requests here.
     */
    @Override
    public void drain() throws InterruptedException {
        readiness.draining();
        deregister();
        long ms = current.config.shutdown().drain().toMillis();
        if (ms > 0) {
            LOG.info(() -> "gateway '" + current.config.domain() + "' deregistered; draining for " + ms + " ms");
            Thread.sleep(ms); // the drain window itself, not synchronisation
        }
    }

    private void deregister() {
        if (deregistered.compareAndSet(false, true)) {
            discovery.deregister(instanceId);
        }
    }

    /**
     * Deregisters first (unless {@link #drain()} did), so the edge stops sending before the listener
     * closes; requests in flight then have {@code shutdown.grace-period} to finish.
     */
    @Override
    public void close() {
        readiness.draining();
        try {
            deregister();
        } finally {
            if (tlsWatch != null) {
                tlsWatch.close();
            }
            server.stop();
            releaseUpstreams();
        }
    }
}
