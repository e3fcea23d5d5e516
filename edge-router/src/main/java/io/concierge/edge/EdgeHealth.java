package io.concierge.edge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.discovery.Registration;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /health} of the edge: always UP while it serves (a missing domain is that domain's
 * problem, answered with 503 for its prefixes). On the admin port with the dispatch table, live
 * instances per domain, prefix conflicts, the state of discovery and the features' sections; on
 * the public port {@code {"status":"UP"}} and nothing else: instance addresses, prefixes, limits
 * and security counters would map the mesh for an attacker.
 */
final class EdgeHealth {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Object> PUBLIC_STATUS = Map.of("status", "UP");
    private final PrefixDispatcher dispatcher;
    private final Supplier<Map<String, Object>> discovery;
    private final Map<String, Supplier<Object>> sections = new java.util.concurrent.ConcurrentHashMap<>();

    EdgeHealth(PrefixDispatcher dispatcher, Supplier<Map<String, Object>> discovery) {
        this.dispatcher = dispatcher;
        this.discovery = discovery;
    }

    Map<String, Object> report() {
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
        List<String> conflicts = new ArrayList<>();
        t.conflicts().forEach(c -> conflicts.add(c.toString()));
        r.put("conflicts", conflicts);
        r.put("discovery", discovery.get());
        sections.forEach((name, section) -> r.put(name, section.get()));
        return r;
    }

    /** Adds a feature's own part of the report (e.g. "rateLimiting"). */
    void addSection(String name, Supplier<Object> section) {
        sections.put(name, section);
    }

    /** The full report, for the admin port. */
    void send(ServerResponse res) {
        send(res, report());
    }

    /** Only the status, for the public port. */
    void sendStatus(ServerResponse res) {
        send(res, PUBLIC_STATUS);
    }

    private static void send(ServerResponse res, Map<String, Object> body) {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try {
            res.send(JSON.writeValueAsBytes(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
