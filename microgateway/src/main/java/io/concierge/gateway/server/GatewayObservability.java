package io.concierge.gateway.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.concierge.gateway.admin.AdminEndpoints;
import io.concierge.gateway.cache.CachePurge;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;
import io.concierge.gateway.grpc.GrpcChannels;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.reload.ConfigReloads;
import io.concierge.gateway.reload.ReloadEndpoint;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.telemetry.FeatureMetrics;
import io.concierge.gateway.telemetry.Telemetry;
import io.helidon.http.Method;

/** Wires a gateway's features into {@code /metrics} and its state into {@code /admin}, in one place. */
final class GatewayObservability {
    private GatewayObservability() {
    }

    /**
     * @param config   the configuration the gateway started with (which features it wires)
     * @param services the running generation's services (a live view), likewise {@code resilience}
     *                 and {@code grpcServices}
     * @param current  the running generation
     * @param runtime  the first generation's runtime: what outlives reloads (counters, cache)
     */
    static AdminEndpoints admin(GatewayConfig config, Discovery discovery, Map<String, UpstreamGroup> services,
                                Map<String, ServiceResilience> resilience, Map<String, GrpcChannels> grpcServices,
                                Supplier<GatewayGeneration> current, ServerRuntime runtime,
                                ConfigReloads<GatewayConfig> reloads, Telemetry telemetry) {
        telemetry.addMetrics(FeatureMetrics.upstreams(services.values(), resilience, grpcServices.values()));
        ServerAssembly.commonMetrics(telemetry, () -> current.get().runtime, discovery);
        telemetry.addMetrics(runtime.transformStats());
        telemetry.addMetrics(runtime.versionStats());
        telemetry.addMetrics(reloads.metrics());
        if (!config.compositions().isEmpty()) {
            telemetry.addMetrics(FeatureMetrics.compositions(() -> current.get().compositions.describe()));
        }
        if (runtime.cache() != null) {
            telemetry.addMetrics(FeatureMetrics.cache(runtime.cache()::describe));
        }
        AdminEndpoints admin = new AdminEndpoints(telemetry);
        if (runtime.cache() != null) {
            admin.section("cache", runtime.cache()::describe)
                    .write(Method.DELETE, "/admin/cache", config.adminToken(), new CachePurge(runtime.cache()));
        }
        return admin
                .write(Method.POST, "/admin/reload", config.adminToken(), new ReloadEndpoint(reloads))
                .section("config", () -> {
                    Map<String, Object> c = reloads.describe();
                    GatewayConfig running = current.get().config;
                    c.put("domain", running.domain());
                    c.put("prefixes", running.prefixes());
                    return c;
                })
                .section("routes", () -> routes(current.get().config))
                .section("instances", AdminEndpoints.instances(discovery))
                .section("breakers", () -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    resilience.forEach((name, rz) -> m.put(name, rz.describe()));
                    return m;
                })
                .section("limiters", runtime::rateLimitHealth)
                .section("errors", telemetry.recentErrors()::snapshot);
    }

    private static List<Map<String, Object>> routes(GatewayConfig config) {
        List<Map<String, Object>> routes = new ArrayList<>();
        for (RouteConfig r : config.routes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("path", r.path());
            m.put("methods", r.methods());
            m.put("service", r.service());
            m.put("rateLimits", r.rateLimits().size());
            m.put("cache", r.cache().enabled() ? r.cache().describe() : false);
            routes.add(m);
        }
        return routes;
    }
}
