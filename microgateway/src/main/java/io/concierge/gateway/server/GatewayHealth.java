package io.concierge.gateway.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.concierge.gateway.balancing.Upstream;
import io.concierge.gateway.grpc.GrpcChannels;
import io.concierge.gateway.health.InstanceProbe;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.resilience.ServiceResilience;

/**
 * A gateway's own part of {@code /health} ({@link HealthReport}): UP when every service (HTTP or gRPC)
 * has at least one instance accepting connections, DOWN otherwise; the detail per service and instance
 * (addresses, counters, resilience state).
 */
final class GatewayHealth implements HealthReport.Source {
    private final String domain;
    private final Supplier<String> instanceId;
    private final Map<String, UpstreamGroup> services;
    private final Map<String, ServiceResilience> resilience;
    private final Map<String, GrpcChannels> grpcServices;
    private final InstanceProbe probe = new InstanceProbe();

    GatewayHealth(String domain, Supplier<String> instanceId, Map<String, UpstreamGroup> services,
                  Map<String, ServiceResilience> resilience, Map<String, GrpcChannels> grpcServices) {
        this.resilience = resilience;
        this.grpcServices = grpcServices;
        this.domain = domain;
        this.instanceId = instanceId;
        this.services = services;
    }

    @Override
    public Map<String, Object> detail() {
        boolean up = true;
        Map<String, Object> svc = new LinkedHashMap<>();
        for (UpstreamGroup g : services.values()) {
            List<Map<String, Object>> instances = new ArrayList<>();
            boolean any = false;
            for (Upstream u : g.instances()) {
                boolean ok = probe.reachable(u.host(), u.port(), u.pool());
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
        for (GrpcChannels c : grpcServices.values()) {
            Map<String, Object> s = grpcDetail(c);
            up &= "UP".equals(s.get("status"));
            svc.put(c.service(), s);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("status", up ? "UP" : "DOWN");
        r.put("domain", domain);
        r.put("instance", instanceId.get());
        r.put("services", svc);
        return r;
    }

    /**
     * A gRPC service as an HTTP one: its instances' reachability (TCP, as for HTTP services: a gRPC
     * health call would cost a round trip per instance per check), calls in flight, breaker state,
     * and the service's retries.
     */
    private Map<String, Object> grpcDetail(GrpcChannels c) {
        List<Map<String, Object>> instances = new ArrayList<>();
        boolean any = false;
        for (GrpcChannels.Instance gi : c.instances()) {
            boolean ok = probe.reachable(gi.host(), gi.port());
            any |= ok;
            Map<String, Object> i = new LinkedHashMap<>();
            i.put("address", gi.upstream().authority());
            i.put("status", ok ? "UP" : "DOWN");
            i.put("inFlight", gi.upstream().inFlight());
            i.put("breaker", gi.breaker().state().name());
            i.put("breakerOpens", gi.breaker().opens());
            instances.add(i);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("status", any ? "UP" : "DOWN");
        s.put("protocol", "grpc");
        s.put("instances", instances);
        s.put("retries", c.retries());
        return s;
    }

    /** Stops probing a service at its first reachable instance. */
    @Override
    public boolean up() {
        for (UpstreamGroup g : services.values()) {
            boolean any = false;
            for (Upstream u : g.instances()) {
                if (probe.reachable(u.host(), u.port(), u.pool())) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        for (GrpcChannels c : grpcServices.values()) {
            boolean any = false;
            for (GrpcChannels.Instance i : c.instances()) {
                if (probe.reachable(i.host(), i.port())) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }
}
