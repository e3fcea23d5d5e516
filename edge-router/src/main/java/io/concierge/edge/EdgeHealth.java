package io.concierge.edge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.server.HealthReport;

/**
 * The edge's own part of {@code /health} ({@link HealthReport}): always UP while it serves (a
 * missing domain is that domain's problem, answered with 503 for its prefixes); the detail is the
 * dispatch table: live instances per domain and prefix conflicts.
 */
final class EdgeHealth implements HealthReport.Source {
    private final PrefixDispatcher dispatcher;

    EdgeHealth(PrefixDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public Map<String, Object> detail() {
        DispatchTable t = dispatcher.table();
        Map<String, Object> domains = new LinkedHashMap<>();
        for (DispatchTable.Claim c : t.claims()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> d = (Map<String, Object>) domains.computeIfAbsent(c.domain(), k -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("prefixes", new ArrayList<String>());
                List<String> instances = new ArrayList<>();
                for (Registration r : t.instances(k)) {
                    instances.add(r.host() + ":" + r.port());
                }
                m.put("status", instances.isEmpty() ? "DOWN" : "UP");
                m.put("instances", instances);
                return m;
            });
            @SuppressWarnings("unchecked")
            List<String> prefixes = (List<String>) d.get("prefixes");
            prefixes.add(c.prefix());
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("status", "UP");
        r.put("role", "edge");
        r.put("domains", domains);
        r.put("refusedRegistrations", dispatcher.refusedRegistrations());
        List<String> conflicts = new ArrayList<>();
        t.conflicts().forEach(c -> conflicts.add(c.toString()));
        r.put("conflicts", conflicts);
        return r;
    }

    @Override
    public boolean up() {
        return true;
    }
}
