package io.concierge.gateway.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.balancing.LoadBalancer;
import io.concierge.gateway.composition.CompositionEndpoint;
import io.concierge.gateway.composition.Compositions;
import io.concierge.gateway.config.InstanceConfig;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;
import io.concierge.gateway.domainconfig.ServiceConfig;
import io.concierge.gateway.grpc.GrpcChannels;
import io.concierge.gateway.grpc.GrpcTranscoder;
import io.concierge.gateway.grpc.MethodBinding;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.routing.PathPattern;
import io.concierge.gateway.routing.RouteTable;
import io.concierge.gateway.versioning.VersioningConfig;
import io.concierge.gateway.telemetry.Telemetry;
import io.concierge.gateway.telemetry.Tracing;
import io.concierge.gateway.tls.UpstreamTls;
import io.helidon.webserver.WebServer;

/**
 * A running domain gateway: the proxy listener, the admin listener, and its registration in
 * discovery. Everything a request needs (route table, upstream groups, pools) is built here once.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GatewayServer.class.getName());

    private final GatewayConfig config;
    private final Discovery discovery;
    private final Map<String, UpstreamGroup> services;
    private final Map<String, ServiceResilience> resilience;
    private final Map<String, GrpcChannels> grpcServices;
    private final WebServer server;
    private final String instanceId;
    private final ServerRuntime runtime;
    private final Compositions compositions;
    private final Telemetry telemetry;

    private GatewayServer(GatewayConfig config, Discovery discovery, HazelcastInstance cluster, Tracing tracing,
                          boolean ownsTracing) {
        this.config = config;
        this.discovery = discovery;
        this.services = buildServices(config);
        this.resilience = new LinkedHashMap<>();
        for (ServiceConfig s : config.services().values()) {
            if (s.grpc() == null) {
                resilience.put(s.name(), new ServiceResilience(s.resilience(), services.get(s.name())));
            }
        }
        this.grpcServices = buildGrpcServices(config);
        this.runtime = ServerRuntime.gateway(config, cluster);
        this.telemetry = new Telemetry(config.domain(), tracing, ownsTracing, config.accessLog());
        String apiKeyHeader = config.security().apiKeys().consumers().isEmpty() ? null
                : config.security().apiKeys().header();
        this.compositions = new Compositions(config.compositions(), apiKeyHeader, discovery, telemetry.tracing());
        String via = "concierge-" + config.domain();
        ProxyEngine engine = new ProxyEngine(via, telemetry);
        RouteTable<GatewayRoute> table = buildRoutes(config, services, resilience, runtime, compositions, engine,
                grpcServices, telemetry.tracing());
        compositions.bindLocal(new LocalRouteCalls(RouteChains.local(table), config.limits().allowEncodedSlash()));
        String[] id = new String[1];
        HealthReport health = new HealthReport(new GatewayHealth(config.domain(), () -> id[0], services, resilience,
                grpcServices),
                discovery::describe)
                .section("security", () -> runtime.domainSecurity().describe())
                .section("rateLimiting", runtime::rateLimitHealth);
        if (!config.compositions().isEmpty()) {
            health.section("composition", compositions::describe);
        }
        ChainHandler handler = new ChainHandler(RouteChains.gateway(config, health::sendStatus, table), telemetry);
        var admin = GatewayObservability.admin(config, discovery, services, resilience, grpcServices, runtime,
                compositions, telemetry);
        // Nothing else would stop the health checkers and JWKS refreshes of a gateway that never started.
        this.server = ServerAssembly.start(ServerAssembly.listeners(config.listen(), config.admin(), config.limits(),
                runtime.clientTimeouts(), handler, health, admin), this::releaseUpstreams);
        this.instanceId = config.domain() + "-" + config.listen().host() + "-" + server.port() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        id[0] = instanceId;
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
        LOG.info(() -> "gateway '" + config.domain() + "' serving " + config.prefixes() + " on http://"
                + config.listen().host() + ":" + g.port() + " (admin port " + g.adminPort() + ")");
        return g;
    }

    public Registration registration() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("version", config.version());
        return new Registration(instanceId, config.domain(), config.prefixes(), config.listen().host(), port(),
                adminPort(), System.currentTimeMillis(), meta);
    }

    /** Startup-built state shared by this gateway's steps (security and rate-limit state and counters). */
    public ServerRuntime runtime() {
        return runtime;
    }

    private void releaseUpstreams() {
        services.values().forEach(UpstreamGroup::close);
        grpcServices.values().forEach(GrpcChannels::close);
        resilience.values().forEach(ServiceResilience::close);
        compositions.close();
        runtime.close();
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
            if (s.grpc() != null) {
                continue; // its channels are built by buildGrpcServices
            }
            List<UpstreamGroup.Endpoint> endpoints = new ArrayList<>();
            for (InstanceConfig i : s.instances()) {
                endpoints.add(new UpstreamGroup.Endpoint(i.host(), i.port(), i.weight()));
            }
            groups.put(s.name(), new UpstreamGroup(s.name(), LoadBalancer.of(s.loadBalancing()), s.connectTimeout(),
                    s.readTimeout(), s.maxIdle(), s.idleTimeout(), endpoints,
                    s.tls() == null ? null : UpstreamTls.start(s.name(), s.tls())));
        }
        return groups;
    }

    /** One set of channels per gRPC service (docs/grpc.md); connections open on the first call. */
    static Map<String, GrpcChannels> buildGrpcServices(GatewayConfig config) {
        Map<String, GrpcChannels> channels = new LinkedHashMap<>();
        for (ServiceConfig s : config.services().values()) {
            if (s.grpc() != null) {
                channels.put(s.name(), new GrpcChannels(s.name(), s.instances(), s.grpc(), s.loadBalancing(),
                        s.resilience().breaker()));
            }
        }
        return channels;
    }

    static RouteTable<GatewayRoute> buildRoutes(GatewayConfig config, Map<String, UpstreamGroup> services,
                                                Map<String, ServiceResilience> resilience, ServerRuntime runtime,
                                                Compositions compositions, ProxyEngine engine,
                                                Map<String, GrpcChannels> grpcServices, Tracing tracing) {
        List<RouteTable.Entry<GatewayRoute>> entries = new ArrayList<>();
        int order = 0;
        for (RouteConfig r : config.routes()) {
            VersioningConfig v = config.versioningOf(r.id());
            RouteBackend backend = r.grpc() != null
                    ? new RouteBackend.Grpc(new GrpcTarget(grpcTranscoder(config, r, grpcServices.get(r.service()),
                            tracing)))
                    : proxied(r, v, services, resilience, engine);
            GatewayRoute route = new GatewayRoute(r, RouteChains.route(config, r, runtime, backend));
            entries.add(new RouteTable.Entry<>(PathPattern.compile(r.path()), r.methods(), r.headers(), order++, route));
            if (v != null && v.urlPrefix() != null) {
                // The same route, and chain, at /api/v1/..., /api/v2/...: its VersionStep reads the segment.
                for (VersioningConfig.ApiVersion version : v.versions()) {
                    entries.add(new RouteTable.Entry<>(PathPattern.compile(v.versionedPath(r.path(), version.name())),
                            r.methods(), r.headers(), order++, route));
                }
            }
        }
        for (CompositionEndpoint c : compositions.endpoints()) {
            RouteConfig r = RouteConfig.forComposition(c.config());
            GatewayRoute route = new GatewayRoute(r, RouteChains.route(config, r, runtime,
                    new RouteBackend.Composition(new CompositionTarget(c))));
            entries.add(new RouteTable.Entry<>(PathPattern.compile(r.path()), r.methods(), r.headers(), order++, route));
        }
        return new RouteTable<>(entries);
    }

    /** The route's service; with the services its API versions name when they name any. */
    private static RouteBackend proxied(RouteConfig r, VersioningConfig versioning, Map<String, UpstreamGroup> services,
                                        Map<String, ServiceResilience> resilience, ProxyEngine engine) {
        RouteBackend.Service own = new RouteBackend.Service(engine, services.get(r.service()),
                resilience.get(r.service()));
        if (versioning == null || !versioning.namesServices()) {
            return own;
        }
        Map<String, RouteBackend.Service> named = new LinkedHashMap<>();
        for (VersioningConfig.ApiVersion version : versioning.versions()) {
            if (version.service() != null) {
                named.computeIfAbsent(version.service(), name -> new RouteBackend.Service(engine, services.get(name),
                        resilience.get(name)));
            }
        }
        return new RouteBackend.Versioned(own, Map.copyOf(named));
    }

    /**
     * A gRPC route's transcoder. The call's deadline: the route's, else its service's, else the read
     * timeout (a gRPC call always gets one). Retries: the service's attempts, for {@code retryable}
     * methods only.
     */
    private static GrpcTranscoder grpcTranscoder(GatewayConfig config, RouteConfig r, GrpcChannels channels,
                                                 Tracing tracing) {
        ServiceConfig s = config.services().get(r.service());
        MethodBinding binding = MethodBinding.compile(r.grpc(), s.grpc().descriptors(), r.path(), r.methods(),
                PathPattern.compile(r.path()).parameterNames(), config.file(),
                "routes[" + config.routes().indexOf(r) + "].grpc");
        Duration deadline = r.resilience().deadline() != null ? r.resilience().deadline()
                : s.resilience().deadline() != null ? s.resilience().deadline()
                : r.readTimeout() != null ? r.readTimeout() : s.readTimeout();
        int attempts = s.resilience().retry() == null ? 1 : s.resilience().retry().attempts();
        return new GrpcTranscoder(binding, r.grpc(), channels, deadline, attempts, tracing);
    }

    /** Deregisters first, so the edge stops sending before the listener closes. */
    @Override
    public void close() {
        try {
            discovery.deregister(instanceId);
        } finally {
            server.stop();
            releaseUpstreams();
        }
    }
}
