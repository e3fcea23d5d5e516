package io.concierge.edge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import io.concierge.edge.protection.EdgeProtectionConfig;
import io.concierge.gateway.admin.AdminToken;
import io.concierge.gateway.config.ClusterConfig;
import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.config.ListenConfig;
import io.concierge.gateway.config.LoadBalancing;
import io.concierge.gateway.config.ServerLimits;
import io.concierge.gateway.config.YamlSource;
import io.concierge.gateway.discovery.DiscoveryConfig;
import io.concierge.gateway.domainconfig.ServiceConfig;
import io.concierge.gateway.ratelimit.RateLimitConfig;
import io.concierge.gateway.resilience.ResilienceConfig;
import io.concierge.gateway.telemetry.AccessLogConfig;
import io.concierge.gateway.tls.MeshTlsConfig;

/**
 * The edge router's {@code edge.yaml}. Documented key by key in docs/configuration.md.
 *
 * @param loadBalancing  how a domain's gateway instances share requests (default round-robin)
 * @param connectTimeout to a gateway instance (default 1s)
 * @param readTimeout    waiting for a gateway's response head or body bytes (default 30s); also the
 *                       deadline of all tries of one request
 * @param failover       retries on another instance and ejection of instances that refuse
 *                       connections ({@link EdgeFailover})
 * @param adminToken     what admin writes ({@code POST /admin/reload}) and the console's actions
 *                       require: {@code ADMIN_TOKEN} from the environment; unset means they answer 403
 * @param domains        which domain may claim which prefixes (default: any well-formed claim)
 * @param gatewayTls     how gateways are called ({@code upstream.tls}): over TLS when their registration says
 *                       {@code scheme: https}, plainly otherwise unless TLS is required
 */
public record EdgeConfig(String file, ListenConfig listen, ListenConfig admin, ServerLimits limits,
                         ClusterConfig cluster, DiscoveryConfig discovery, LoadBalancing loadBalancing,
                         Duration connectTimeout, Duration readTimeout, int maxIdle, Duration idleTimeout,
                         ResilienceConfig failover,
                         EdgeProtectionConfig protection, List<RateLimitConfig> rateLimits,
                         AccessLogConfig accessLog, AdminToken adminToken, AllowedPrefixes domains,
                         MeshTlsConfig gatewayTls) {

    public static EdgeConfig load(Path file) {
        return load(file, System::getenv);
    }

    public static EdgeConfig load(Path file, Function<String, String> env) {
        return from(YamlSource.read(file, env), env);
    }

    public static EdgeConfig parse(String name, String yaml, Function<String, String> env) {
        return from(YamlSource.parse(name, yaml, env), env);
    }

    private static EdgeConfig from(ConfigNode root, Function<String, String> env) {
        ListenConfig listen = ListenConfig.readPublic(root.object("listen"), "127.0.0.1", 8080);
        ListenConfig admin = ListenConfig.read(root.object("admin"), "127.0.0.1", 9080);
        ServerLimits limits = ServerLimits.read(root.object("server"));
        ClusterConfig cluster = ClusterConfig.read(root.object("cluster"));
        DiscoveryConfig discovery = DiscoveryConfig.read(root.object("discovery"));
        ConfigNode upstream = root.object("upstream");
        LoadBalancing lb = upstream.choice("load-balancing", LoadBalancing.ROUND_ROBIN, LoadBalancing::parse,
                LoadBalancing.ALLOWED);
        ConfigNode timeouts = upstream.object("timeouts");
        Duration connect = timeouts.duration("connect", ServiceConfig.DEFAULT_CONNECT_TIMEOUT);
        Duration read = timeouts.duration("read", ServiceConfig.DEFAULT_READ_TIMEOUT);
        timeouts.rejectUnknownKeys();
        ConfigNode pool = upstream.object("pool");
        int maxIdle = pool.integer("max-idle", 64, 0, 10_000);
        Duration idle = pool.duration("idle-timeout", Duration.ofSeconds(4));
        pool.rejectUnknownKeys();
        ResilienceConfig failover = EdgeFailover.read(upstream, read);
        MeshTlsConfig gatewayTls = MeshTlsConfig.read(upstream, "tls");
        upstream.rejectUnknownKeys();
        EdgeProtectionConfig protection = EdgeProtectionConfig.read(root.object("protection"));
        List<RateLimitConfig> rateLimits = RateLimitConfig.readAll(root, "rate-limits");
        AccessLogConfig accessLog = AccessLogConfig.read(root.object("access-log"));
        AllowedPrefixes domains = AllowedPrefixes.read(root);
        root.rejectUnknownKeys();
        return new EdgeConfig(root.file(), listen, admin, limits, cluster, discovery, lb, connect, read, maxIdle, idle,
                failover,
                protection, rateLimits, accessLog, AdminToken.of(env.apply(AdminToken.ENV)), domains,
                gatewayTls);
    }
}
