package io.concierge.gateway.domainconfig;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.concierge.gateway.admin.AdminToken;
import io.concierge.gateway.cache.CacheConfig;
import io.concierge.gateway.composition.CompositionConfig;
import io.concierge.gateway.config.ClusterConfig;
import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.config.ListenConfig;
import io.concierge.gateway.config.Prefixes;
import io.concierge.gateway.config.ServerLimits;
import io.concierge.gateway.config.ShutdownConfig;
import io.concierge.gateway.config.YamlSource;
import io.concierge.gateway.discovery.DiscoveryConfig;
import io.concierge.gateway.grpc.MethodBinding;
import io.concierge.gateway.ratelimit.RateLimitConfig;
import io.concierge.gateway.routing.PathPattern;
import io.concierge.gateway.security.SecurityConfig;
import io.concierge.gateway.telemetry.AccessLogConfig;
import io.concierge.gateway.tls.MeshTlsConfig;
import io.concierge.gateway.tls.ServerTlsConfig;
import io.concierge.gateway.versioning.VersioningConfig;

/**
 * One domain's {@code gateway.yaml}, parsed and validated. Every key is documented in
 * docs/configuration.md; anything not listed there is rejected at load.
 *
 * @param listenTls the public listener's TLS ({@code listen.tls}), or null for plain HTTP
 * @param meshTls   how composition calls reach other domains' gateways ({@code mesh-tls})
 */
public record GatewayConfig(String file, String domain, String version, ListenConfig listen, ListenConfig admin,
                            List<String> prefixes, ServerLimits limits, ClusterConfig cluster,
                            DiscoveryConfig discovery, SecurityConfig security, List<RateLimitConfig> rateLimits,
                            Map<String, ServiceConfig> services, List<RouteConfig> routes,
                            List<CompositionConfig> compositions, AccessLogConfig accessLog, CacheConfig cache,
                            AdminToken adminToken, List<VersioningConfig> versioning, ShutdownConfig shutdown,
                            ServerTlsConfig listenTls, MeshTlsConfig meshTls) {

    /** The versioning group a route belongs to, or null. */
    public VersioningConfig versioningOf(String routeId) {
        for (VersioningConfig v : versioning) {
            if (v.routes().contains(routeId)) {
                return v;
            }
        }
        return null;
    }

    public static GatewayConfig load(Path file) {
        return load(file, System::getenv);
    }

    public static GatewayConfig load(Path file, Function<String, String> env) {
        return from(YamlSource.read(file, env), env);
    }

    public static GatewayConfig parse(String name, String yaml, Function<String, String> env) {
        return from(YamlSource.parse(name, yaml, env), env);
    }

    /**
     * A gRPC route needs a gRPC service whose descriptors have its method and fields; a gRPC service
     * serves gRPC routes only (the HTTP proxy cannot speak to it).
     */
    private static void checkGrpc(String file, ConfigNode node, String yamlPath, RouteConfig r, PathPattern pattern,
                                  ServiceConfig s) {
        if (r.grpc() == null) {
            if (s.grpc() != null) {
                throw node.error("service", "'" + r.service() + "' is a gRPC service; the route needs a grpc section "
                        + "(docs/grpc.md)");
            }
            return;
        }
        if (s.grpc() == null) {
            throw node.error("grpc", "service '" + r.service() + "' is not a gRPC service (it has no grpc section)");
        }
        MethodBinding.compile(r.grpc(), s.grpc().descriptors(), r.path(), r.methods(), pattern.parameterNames(), file,
                yamlPath + ".grpc");
    }

    private static GatewayConfig from(ConfigNode root, Function<String, String> env) {
        String domain = root.requiredString("domain");
        if (!domain.matches("[a-z][a-z0-9-]{0,62}")) {
            throw root.error("domain", "must be lower-case letters, digits and '-' (was '" + domain + "')");
        }
        String version = root.string("version", "1");
        ConfigNode listenNode = root.object("listen");
        ServerTlsConfig listenTls = listenNode.has("tls") ? ServerTlsConfig.read(listenNode.object("tls")) : null;
        ListenConfig listen = ListenConfig.readPublic(listenNode, "127.0.0.1", 0);
        if (listenTls != null && listen.h2c()) {
            throw listenNode.error("h2c", "applies to a plain listener; with listen.tls HTTP/2 is negotiated by ALPN");
        }
        ListenConfig admin = ListenConfig.read(root.object("admin"), "127.0.0.1", 0);
        List<String> prefixes = root.stringList("prefixes");
        if (prefixes.isEmpty()) {
            throw root.error("prefixes", "a domain must own at least one path prefix");
        }
        for (int i = 0; i < prefixes.size(); i++) {
            Prefixes.validate(prefixes.get(i), root, "prefixes[" + i + "]");
        }
        ServerLimits limits = ServerLimits.read(root.object("server"));
        ClusterConfig cluster = ClusterConfig.read(root.object("cluster"));
        DiscoveryConfig discovery = DiscoveryConfig.read(root.object("discovery"));
        if (!discovery.gateways().isEmpty()) {
            throw root.error("discovery.gateways", "only an edge router lists static gateways");
        }
        SecurityConfig security = SecurityConfig.read(root.object("security"));
        List<RateLimitConfig> rateLimits = RateLimitConfig.readAll(root, "rate-limits");
        Map<String, ServiceConfig> services = new LinkedHashMap<>();
        root.namedObjects("services").forEach((name, node) -> services.put(name, ServiceConfig.read(name, node)));
        List<ConfigNode> routeNodes = root.objectList("routes");
        // A backend-for-frontend domain has no service of its own: only compositions of other domains.
        if (services.isEmpty() && !routeNodes.isEmpty()) {
            throw root.error("services", "at least one service is required");
        }
        CacheConfig cache = CacheConfig.read(root.object("cache"));
        List<RouteConfig> routes = RouteConfig.readAll(root, cache.defaults());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig r = routes.get(i);
            ConfigNode node = routeNodes.get(i);
            if (!ids.add(r.id())) {
                throw node.error("id", "duplicate route id '" + r.id() + "'");
            }
            if (!services.containsKey(r.service())) {
                throw node.error("service", "unknown service '" + r.service() + "' (services: "
                        + String.join(", ", services.keySet()) + ")");
            }
            PathPattern pattern;
            try {
                pattern = PathPattern.compile(r.path());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(root.file(), node.child("match.path"), e.getMessage());
            }
            if (prefixes.stream().noneMatch(p -> pattern.isWithin(p))) {
                throw new ConfigException(root.file(), node.child("match.path"), "'" + r.path()
                        + "' is outside the domain's prefixes " + prefixes);
            }
            checkGrpc(root.file(), node, "routes[" + i + "]", r, pattern, services.get(r.service()));
        }
        // Checks across features live here, where every feature's config is known; a feature's own
        // config never imports the top level (that would be a package cycle).
        for (int i = 0; i < routes.size(); i++) {
            security.checkRoute(root.file(), "routes[" + i + "].auth", "route", routes.get(i).auth());
        }
        for (RouteConfig r : routes) {
            RateLimitConfig.checkNotDomainNames(rateLimits, r.rateLimits());
        }
        List<CompositionConfig> compositions = CompositionConfig.readAll(root, domain, prefixes,
                new CompositionChecks(services, routes), security);
        for (CompositionConfig c : compositions) {
            RateLimitConfig.checkNotDomainNames(rateLimits, c.rateLimits());
        }
        if (routes.isEmpty() && compositions.isEmpty()) {
            throw root.error("routes", "at least one route is required");
        }
        AccessLogConfig accessLog = AccessLogConfig.read(root.object("access-log"));
        // API versions apply to proxied HTTP routes and services: a gRPC route or service in a
        // versioning group reads as an unknown one (docs/grpc.md, "not yet").
        Map<String, String> routePaths = new LinkedHashMap<>();
        routes.stream().filter(r -> r.grpc() == null).forEach(r -> routePaths.put(r.id(), r.path()));
        Set<String> httpServices = new LinkedHashSet<>();
        services.forEach((name, s) -> {
            if (s.grpc() == null) {
                httpServices.add(name);
            }
        });
        List<VersioningConfig> versioning = VersioningConfig.readAll(root, routePaths, prefixes, httpServices);
        ShutdownConfig shutdown = ShutdownConfig.read(root.object("shutdown"));
        MeshTlsConfig meshTls = MeshTlsConfig.read(root, "mesh-tls");
        root.rejectUnknownKeys();
        return new GatewayConfig(root.file(), domain, version, listen, admin, List.copyOf(prefixes), limits, cluster,
                discovery, security, rateLimits, Collections.unmodifiableMap(services), List.copyOf(routes),
                List.copyOf(compositions), accessLog, cache, AdminToken.of(env.apply(AdminToken.ENV)), versioning, shutdown,
                listenTls, meshTls);
    }
}
