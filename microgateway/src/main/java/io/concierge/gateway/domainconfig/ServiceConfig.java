package io.concierge.gateway.domainconfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.config.InstanceConfig;
import io.concierge.gateway.config.LoadBalancing;
import io.concierge.gateway.grpc.GrpcServiceConfig;
import io.concierge.gateway.resilience.ResilienceConfig;
import io.concierge.gateway.tls.UpstreamTlsConfig;

/**
 * An upstream service and its instances.
 *
 * @param name           the key under {@code services}
 * @param loadBalancing  default {@code round-robin}
 * @param instances      at least one
 * @param connectTimeout default 1s
 * @param readTimeout    longest wait for the response head or for the next body bytes (default 30s)
 * @param maxIdle        idle keep-alive connections kept per instance (default 64)
 * @param idleTimeout    an idle pooled connection older than this is closed, not reused (default 4s,
 *                       below the 5s keep-alive of common upstream servers so we never reuse a socket
 *                       the upstream is about to close)
 * @param resilience     retries, breakers, bulkhead, outlier ejection, health checks (docs/resilience.md)
 * @param grpc           the {@code grpc} section: a gRPC service with its descriptors (docs/grpc.md), or
 *                       null for an HTTP service
 * @param tls            TLS to the instances ({@code https://} URLs, tuned by the {@code tls} section), or null
 *                       for plain HTTP; all instances of a service use the same scheme
 */
public record ServiceConfig(String name, LoadBalancing loadBalancing, List<InstanceConfig> instances,
                            Duration connectTimeout, Duration readTimeout, int maxIdle, Duration idleTimeout,
                            ResilienceConfig resilience, GrpcServiceConfig grpc,
                            UpstreamTlsConfig tls) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    static ServiceConfig read(String name, ConfigNode node) {
        LoadBalancing lb = node.choice("load-balancing", LoadBalancing.ROUND_ROBIN, LoadBalancing::parse, LoadBalancing.ALLOWED);
        List<InstanceConfig> instances = new ArrayList<>();
        for (ConfigNode i : node.objectList("instances")) {
            instances.add(InstanceConfig.read(i));
        }
        if (instances.isEmpty()) {
            throw node.error("instances", "a service needs at least one instance");
        }
        UpstreamTlsConfig tls = readTls(node, instances);
        ConfigNode timeouts = node.object("timeouts");
        Duration connect = timeouts.duration("connect", DEFAULT_CONNECT_TIMEOUT);
        Duration read = timeouts.duration("read", DEFAULT_READ_TIMEOUT);
        timeouts.rejectUnknownKeys();
        ConfigNode pool = node.object("pool");
        int maxIdle = pool.integer("max-idle", 64, 0, 10_000);
        Duration idle = pool.duration("idle-timeout", Duration.ofSeconds(4));
        pool.rejectUnknownKeys();
        ResilienceConfig resilience = ResilienceConfig.read(node.object("resilience"));
        if (node.has("grpc")) {
            rejectWhatGrpcDoesNotApply(node); // before grpc.descriptors, which may ask the instances
        }
        GrpcServiceConfig grpc = node.has("grpc") ? GrpcServiceConfig.read(node.object("grpc"), name, instances) : null;
        node.rejectUnknownKeys();
        return new ServiceConfig(name, lb, List.copyOf(instances), connect, read, maxIdle, idle, resilience, grpc, tls);
    }

    /** One scheme per service, so a pool never mixes plain and TLS connections and no instance is silently plain. */
    private static UpstreamTlsConfig readTls(ConfigNode node, List<InstanceConfig> instances) {
        boolean tls = instances.get(0).tls();
        for (int i = 1; i < instances.size(); i++) {
            if (instances.get(i).tls() != tls) {
                throw node.error("instances[" + i + "].url", "all instances of a service use the same scheme (instances[0]"
                        + " is " + (tls ? "https" : "http") + ")");
            }
        }
        if (!tls) {
            if (node.has("tls")) {
                throw node.error("tls", "the instances are http:// URLs; use https:// to talk TLS to them");
            }
            return null;
        }
        if (node.has("grpc")) {
            throw node.error("instances[0].url", "a gRPC service takes http:// URLs; its TLS is set by grpc.tls (docs/grpc.md)");
        }
        return node.has("tls") ? UpstreamTlsConfig.read(node.object("tls")) : UpstreamTlsConfig.defaults();
    }

    /**
     * A gRPC service uses its balancing, deadline, retry attempts and breakers only (docs/grpc.md); a policy it would not
     * apply is refused rather than silently ignored.
     */
    private static void rejectWhatGrpcDoesNotApply(ConfigNode node) {
        if (node.has("pool")) {
            throw node.error("pool", "a gRPC service keeps one HTTP/2 connection per instance; no pool to configure");
        }
        ConfigNode rz = node.object("resilience");
        for (String key : List.of("bulkhead", "outlier-ejection", "health-check")) {
            if (rz.has(key)) {
                throw rz.error(key, "not applied to gRPC services yet (docs/grpc.md); deadline, retry and "
                        + "circuit-breaker are");
            }
        }
    }
}
