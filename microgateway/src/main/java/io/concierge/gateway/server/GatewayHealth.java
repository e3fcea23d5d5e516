package io.concierge.gateway.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.balancing.Upstream;
import io.concierge.gateway.health.InstanceProbe;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.resilience.ServiceResilience;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /health} of a gateway: UP when every service has at least one instance accepting
 * connections, DOWN (503) otherwise. The admin port's answer has the detail per service and
 * instance (addresses, counters, security and rate-limit state); the public port's says UP or DOWN
 * and nothing else, since whoever can reach it may be an attacker mapping the mesh.
 */
final class GatewayHealth {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String domain;
    private final Supplier<String> instanceId;
    private final Map<String, UpstreamGroup> services;
    private final Map<String, ServiceResilience> resilience;
    private final Supplier<Map<String, Object>> discovery;
    private final InstanceProbe probe = new InstanceProbe();
    private final Map<String, Supplier<Object>> sections = new java.util.concurrent.ConcurrentHashMap<>();

    GatewayHealth(String domain, Supplier<String> instanceId, Map<String, UpstreamGroup> services,
                  Map<String, ServiceResilience> resilience, Supplier<Map<String, Object>> discovery) {
        this.resilience = resilience;
        this.domain = domain;
        this.instanceId = instanceId;
        this.services = services;
        this.discovery = discovery;
    }

    Map<String, Object> report() {
        boolean up = true;
        Map<String, Object> svc = new LinkedHashMap<>();
        for (UpstreamGroup g : services.values()) {
            List<Map<String, Object>> instances = new ArrayList<>();
            boolean any = false;
            for (Upstream u : g.instances()) {
                boolean ok = probe.reachable(u.host(), u.port());
                any |= ok;
                Map<String, Object> i = new LinkedHashMap<>();
                i.put("address", u.authority());
                i.put("status", ok ? "UP" : "DOWN");
                i.put("inFlight", u.inFlight());
                i.put("idleConnections", u.pool().idleConnections());
                instances.add(i);
            }
            up &= any;
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("status", any ? "UP" : "DOWN");
            s.put("instances", instances);
            ServiceResilience rz = resilience.get(g.name());
            if (rz != null) {
                s.put("resilience", rz.describe());
            }
            svc.put(g.name(), s);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("status", up ? "UP" : "DOWN");
        r.put("domain", domain);
        r.put("instance", instanceId.get());
        r.put("services", svc);
        r.put("discovery", discovery.get());
        sections.forEach((name, section) -> r.put(name, section.get()));
        return r;
    }

    /** Adds a feature's own part of the report (e.g. "security": counters and key state). */
    void addSection(String name, Supplier<Object> section) {
        sections.put(name, section);
    }

    /** The full report, for the admin port. */
    void send(ServerResponse res) {
        Map<String, Object> r = report();
        send(res, "UP".equals(r.get("status")), r);
    }

    /** Only {@code {"status":"UP"|"DOWN"}}, for the public port. */
    void sendStatus(ServerResponse res) {
        boolean up = true;
        for (UpstreamGroup g : services.values()) {
            boolean any = false;
            for (Upstream u : g.instances()) {
                if (probe.reachable(u.host(), u.port())) {
                    any = true;
                    break;
                }
            }
            up &= any;
        }
        send(res, up, Map.of("status", up ? "UP" : "DOWN"));
    }

    private static void send(ServerResponse res, boolean up, Map<String, Object> body) {
        res.status(up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try {
            res.send(JSON.writeValueAsBytes(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
