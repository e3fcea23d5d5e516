package io.concierge.edge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.concierge.gateway.admin.AdminEndpoints;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.reload.ConfigReloads;
import io.concierge.gateway.reload.ReloadEndpoint;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.server.ServerAssembly;
import io.concierge.gateway.server.ServerRuntime;
import io.concierge.gateway.telemetry.Telemetry;
import io.helidon.http.Method;

/** Wires the edge's features into {@code /metrics} and its state into {@code /admin}, in one place. */
final class EdgeObservability {
    private EdgeObservability() {
    }

    /**
     * What the web console shows of the edge itself: its config, limits and errors, the prefix
     * conflicts, which domain owns which prefixes, and the failover state (ejected instances) per domain.
     */
    static java.util.function.Supplier<Map<String, Object>> consoleView(AdminEndpoints admin,
                                                                          PrefixDispatcher dispatcher,
                                                                          java.util.function.Supplier<ServerRuntime> runtime,
                                                                          Telemetry telemetry) {
        return () -> {
            DispatchTable t = dispatcher.table();
            Map<String, Object> edge = new LinkedHashMap<>();
            edge.put("config", admin.read("config"));
            edge.put("limiters", runtime.get().rateLimitHealth());
            edge.put("errors", telemetry.recentErrors().snapshot());
            Map<String, List<String>> claims = new TreeMap<>();
            for (DispatchTable.Claim c : t.claims()) {
                claims.computeIfAbsent(c.domain(), d -> new ArrayList<>()).add(c.prefix());
            }
            List<String> conflicts = new ArrayList<>();
            t.conflicts().forEach(c -> conflicts.add(c.toString()));
            Map<String, Object> failover = new TreeMap<>();
            dispatcher.failover().forEach((domain, rz) -> failover.put(domain, rz.describe()));
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("edge", edge);
            view.put("conflicts", conflicts);
            view.put("claims", claims);
            view.put("failover", failover);
            return view;
        };
    }

    static AdminEndpoints admin(EdgeConfig config, Discovery discovery, PrefixDispatcher dispatcher,
                                Supplier<ServerRuntime> runtime, ConfigReloads<EdgeConfig> reloads,
                                Telemetry telemetry) {
        ServerAssembly.commonMetrics(telemetry, runtime, discovery);
        telemetry.addMetrics(reloads.metrics());
        telemetry.addMetrics(out -> {
            out.family("concierge_edge_live_instances", "gauge", "Live gateway instances per domain.");
            dispatcher.table().instances().forEach((domain, rs) ->
                    out.sample("concierge_edge_live_instances", rs.size(), "domain", domain));
            out.family("concierge_edge_prefix_conflicts", "gauge", "Prefixes claimed by more than one domain.");
            out.sample("concierge_edge_prefix_conflicts", dispatcher.table().conflicts().size());
            Map<String, ServiceResilience> failover = new TreeMap<>(dispatcher.failover());
            out.family("concierge_edge_retries_total", "counter",
                    "Requests sent again to another gateway instance after a failure before any response byte.");
            failover.forEach((domain, rz) -> out.sample("concierge_edge_retries_total", rz.retries(), "domain", domain));
            out.family("concierge_edge_retry_budget_exhausted_total", "counter",
                    "Retries refused because the domain's retry budget was spent.");
            failover.forEach((domain, rz) -> out.sample("concierge_edge_retry_budget_exhausted_total",
                    rz.budget().exhausted(), "domain", domain));
            out.family("concierge_edge_ejections_total", "counter",
                    "Gateway instances ejected because they refused a connection.");
            failover.forEach((domain, rz) -> out.sample("concierge_edge_ejections_total", rz.ejections(), "domain",
                    domain));
            out.family("concierge_edge_ejected_instances", "gauge", "Gateway instances ejected right now.");
            failover.forEach((domain, rz) -> out.sample("concierge_edge_ejected_instances", rz.ejectedNow(), "domain",
                    domain));
        });
        return new AdminEndpoints(telemetry)
                .write(Method.POST, "/admin/reload", config.adminToken(), new ReloadEndpoint(reloads))
                .section("config", reloads::describe)
                .section("routes", () -> {
                    List<Map<String, Object>> routes = new ArrayList<>();
                    for (DispatchTable.Claim c : dispatcher.table().claims()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("prefix", c.prefix());
                        m.put("domain", c.domain());
                        routes.add(m);
                    }
                    return routes;
                })
                .section("instances", AdminEndpoints.instances(discovery))
                .section("breakers", Map::of)
                .section("failover", () -> {
                    Map<String, Object> domains = new TreeMap<>();
                    dispatcher.failover().forEach((domain, rz) -> domains.put(domain, Map.of("retries", rz.retries(),
                            "retryBudgetExhausted", rz.budget().exhausted(), "ejections", rz.ejections(),
                            "ejectedNow", rz.ejectedNow())));
                    return domains;
                })
                .section("limiters", () -> runtime.get().rateLimitHealth())
                .section("errors", telemetry.recentErrors()::snapshot);
    }
}
