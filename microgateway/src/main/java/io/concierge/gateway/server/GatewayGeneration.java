package io.concierge.gateway.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.balancing.LoadBalancer;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.composition.CompositionEndpoint;
import io.concierge.gateway.composition.Compositions;
import io.concierge.gateway.config.InstanceConfig;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;
import io.concierge.gateway.domainconfig.ServiceConfig;
import io.concierge.gateway.grpc.GrpcChannels;
import io.concierge.gateway.grpc.GrpcServiceConfig;
import io.concierge.gateway.grpc.GrpcTranscoder;
import io.concierge.gateway.grpc.MethodBinding;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.routing.PathPattern;
import io.concierge.gateway.routing.RouteTable;
import io.concierge.gateway.telemetry.Tracing;
import io.concierge.gateway.tls.UpstreamTls;
import io.concierge.gateway.versioning.VersioningConfig;
import io.helidon.webserver.http.ServerResponse;

/**
 * Everything a gateway builds from one configuration: its upstream groups with their pools and
 * health, the services' resilience (breakers), gRPC channels, compositions, the runtime the steps
 * share, the route table and the chain every request runs. A request reads the generation's chain
 * once, at its start ({@link ChainHandler}), so it runs entirely on one generation.
 *
 * <p>A reload builds the next generation from the previous one ({@link #next}): a service whose
 * {@link ServiceConfig} is equal keeps its group, pools, breakers and channels (the same objects),
 * the runtime keeps the rate-limit counters and the shared cache; everything else is built anew.
 * What the old generation alone owned is closed by {@link #closeRetired} once its requests drained.
 */
final class GatewayGeneration {
    private static final Logger LOG = Logger.getLogger(GatewayGeneration.class.getName());

    final GatewayConfig config;
    final ServerRuntime runtime;
    final Map<String, UpstreamGroup> services;
    final Map<String, ServiceResilience> resilience;
    final Map<String, GrpcChannels> grpcServices;
    final Compositions compositions;
    final Chain chain;

    /** What a generation is built with that outlives every generation. */
    record Shared(Discovery discovery, HazelcastInstance cluster, ProxyEngine engine, Tracing tracing,
                  Consumer<ServerResponse> publicHealth) {
    }

    private GatewayGeneration(GatewayConfig config, ServerRuntime runtime, Map<String, UpstreamGroup> services,
                              Map<String, ServiceResilience> resilience, Map<String, GrpcChannels> grpcServices,
                              Compositions compositions, Shared shared) {
        this.config = config;
        this.runtime = runtime;
        this.services = Collections.unmodifiableMap(services);
        this.resilience = Collections.unmodifiableMap(resilience);
        this.grpcServices = Collections.unmodifiableMap(grpcServices);
        this.compositions = compositions;
        RouteTable<GatewayRoute> table = buildRoutes(config, services, resilience, runtime, compositions,
                shared.engine(), grpcServices, shared.tracing());
        compositions.bindLocal(new LocalRouteCalls(RouteChains.local(table), config.limits().allowEncodedSlash()));
        this.chain = RouteChains.gateway(config, shared.publicHealth(), table);
    }

    /** The first generation, with a runtime built for it; on failure what was built is closed. */
    static GatewayGeneration first(GatewayConfig config, ServerRuntime runtime, Shared shared) {
        return build(config, null, runtime, shared);
    }

    /**
     * The generation of a reloaded {@code config}, reusing from this one what did not change. On
     * failure whatever was built for it is closed and this generation is untouched.
     */
    GatewayGeneration next(GatewayConfig next, Shared shared) {
        ServerRuntime nextRuntime = runtime.reloaded(config, next, shared.cluster());
        if (nextRuntime.rateLimiting() != null) {
            nextRuntime.rateLimiting().beginReload();
        }
        try {
            return build(next, this, nextRuntime, shared);
        } catch (RuntimeException e) {
            nextRuntime.closeUnshared(runtime);
            throw e;
        }
    }

    private static GatewayGeneration build(GatewayConfig config, GatewayGeneration previous, ServerRuntime runtime,
                                           Shared shared) {
        Map<String, UpstreamGroup> services = new LinkedHashMap<>();
        Map<String, ServiceResilience> resilience = new LinkedHashMap<>();
        Map<String, GrpcChannels> grpc = new LinkedHashMap<>();
        List<AutoCloseable> built = new ArrayList<>();
        Compositions compositions = null;
        try {
            for (ServiceConfig s : config.services().values()) {
                boolean same = previous != null && unchanged(s, previous.config.services().get(s.name()));
                if (s.grpc() != null) {
                    GrpcChannels c = same && previous.grpcServices.containsKey(s.name())
                            ? previous.grpcServices.get(s.name()) : track(built, grpcChannels(s));
                    grpc.put(s.name(), c);
                } else if (same && previous.services.containsKey(s.name())) {
                    services.put(s.name(), previous.services.get(s.name()));
                    resilience.put(s.name(), previous.resilience.get(s.name()));
                } else {
                    UpstreamGroup g = group(s);
                    built.add(g::close);
                    services.put(s.name(), g);
                    resilience.put(s.name(), track(built, new ServiceResilience(s.resilience(), g)));
                }
            }
            String apiKeyHeader = config.security().apiKeys().consumers().isEmpty() ? null
                    : config.security().apiKeys().header();
            compositions = track(built, new Compositions(config.compositions(), apiKeyHeader, config.meshTls(), shared.discovery(),
                    shared.tracing()));
            return new GatewayGeneration(config, runtime, services, resilience, grpc, compositions, shared);
        } catch (RuntimeException e) {
            for (int i = built.size() - 1; i >= 0; i--) {
                closeQuietly(built.get(i));
            }
            throw e;
        }
    }

    /**
     * Whether a service's configuration is the same as before, so its groups, breakers and channels
     * are kept. A gRPC service's descriptors are read anew at every load and have no equality; the
     * channels do not use them (each generation's transcoders do), so they are left out.
     */
    private static boolean unchanged(ServiceConfig now, ServiceConfig before) {
        if (before == null || (now.grpc() == null) != (before.grpc() == null)) {
            return false;
        }
        return now.grpc() == null ? now.equals(before) : withoutDescriptors(now).equals(withoutDescriptors(before));
    }

    private static ServiceConfig withoutDescriptors(ServiceConfig s) {
        GrpcServiceConfig g = s.grpc();
        return new ServiceConfig(s.name(), s.loadBalancing(), s.instances(), s.connectTimeout(), s.readTimeout(),
                s.maxIdle(), s.idleTimeout(), s.resilience(),
                new GrpcServiceConfig(g.descriptorsFile(), null, g.tls(), g.caFile()), s.tls());
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> built, T t) {
        built.add(t);
        return t;
    }

    /** After the swap: the limiters the new generation no longer uses leave health, metrics and sweeps. */
    void serving() {
        if (runtime.rateLimiting() != null) {
            runtime.rateLimiting().endReload();
        }
    }

    /** What this (old) generation owns that {@code next} does not reuse; closed once requests drained. */
    List<AutoCloseable> retiredBy(GatewayGeneration next) {
        List<AutoCloseable> retired = new ArrayList<>();
        services.forEach((name, g) -> {
            if (next.services.get(name) != g) {
                retired.add(g::close);
            }
        });
        resilience.forEach((name, rz) -> {
            if (next.resilience.get(name) != rz) {
                retired.add(rz);
            }
        });
        grpcServices.forEach((name, c) -> {
            if (next.grpcServices.get(name) != c) {
                retired.add(c);
            }
        });
        retired.add(compositions);
        ServerRuntime old = runtime;
        retired.add(() -> old.closeUnshared(next.runtime));
        return retired;
    }

    /**
     * How long requests may still run on this generation after a swap: the longest a proxied call
     * may take (read timeouts and deadlines times the tries), with a floor; what the generation alone
     * owned is closed after that.
     */
    Duration drainTime() {
        Duration longest = Duration.ofSeconds(10);
        for (ServiceConfig s : config.services().values()) {
            Duration call = s.resilience().deadline() != null ? s.resilience().deadline()
                    : s.readTimeout().multipliedBy(s.resilience().retry() == null ? 1
                    : s.resilience().retry().attempts());
            if (call.compareTo(longest) > 0) {
                longest = call;
            }
        }
        for (RouteConfig r : config.routes()) {
            if (r.resilience().deadline() != null && r.resilience().deadline().compareTo(longest) > 0) {
                longest = r.resilience().deadline();
            }
        }
        return longest.plusSeconds(5);
    }

    /** Closes everything (server stop): the services, channels, compositions and the runtime. */
    void closeAll() {
        services.values().forEach(g -> closeQuietly(g::close));
        grpcServices.values().forEach(GatewayGeneration::closeQuietly);
        resilience.values().forEach(GatewayGeneration::closeQuietly);
        closeQuietly(compositions);
        closeQuietly(runtime);
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing " + c.getClass().getSimpleName() + " failed", e);
        }
    }

    static UpstreamGroup group(ServiceConfig s) {
        List<UpstreamGroup.Endpoint> endpoints = new ArrayList<>();
        for (InstanceConfig i : s.instances()) {
            endpoints.add(new UpstreamGroup.Endpoint(i.host(), i.port(), i.weight()));
        }
        return new UpstreamGroup(s.name(), LoadBalancer.of(s.loadBalancing()), s.connectTimeout(), s.readTimeout(),
                s.maxIdle(), s.idleTimeout(), endpoints, s.tls() == null ? null : UpstreamTls.start(s.name(), s.tls()));
    }

    /** One set of channels per gRPC service (docs/grpc.md); connections open on the first call. */
    static GrpcChannels grpcChannels(ServiceConfig s) {
        return new GrpcChannels(s.name(), s.instances(), s.grpc(), s.loadBalancing(), s.resilience().breaker());
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
}
