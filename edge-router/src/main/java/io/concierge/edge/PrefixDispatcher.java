package io.concierge.edge;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import io.concierge.gateway.balancing.LoadBalancer;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.resilience.ServiceResilience;

/**
 * Follows discovery and keeps, per domain, an upstream group of that domain's gateway instances.
 * Updates arrive serially from discovery; requests read the current table without locking.
 */
final class PrefixDispatcher {
    private static final Logger LOG = Logger.getLogger(PrefixDispatcher.class.getName());

    private final EdgeConfig config;
    private final Map<String, UpstreamGroup> groups = new ConcurrentHashMap<>();
    private final Map<String, ServiceResilience> failover = new ConcurrentHashMap<>();
    private final Map<String, List<String>> remembered = new LinkedHashMap<>();
    private final Set<String> reportedConflicts = new HashSet<>();
    private volatile DispatchTable table = DispatchTable.EMPTY;

    PrefixDispatcher(EdgeConfig config) {
        this.config = config;
    }

    DispatchTable table() {
        return table;
    }

    UpstreamGroup group(String domain) {
        return groups.get(domain);
    }

    /** Retry budget and ejections of a domain's instances; present whenever its group is. */
    ServiceResilience failover(String domain) {
        return failover.get(domain);
    }

    /** Every domain's failover state, by domain (metrics, admin). */
    Map<String, ServiceResilience> failover() {
        return failover;
    }

    synchronized void update(List<Registration> discovered) {
        // Claims the edge's own domain list does not allow never reach the table.
        List<Registration> registrations = config.domains().admit(discovered);
        DispatchTable next = DispatchTable.build(registrations, remembered);
        for (Map.Entry<String, List<Registration>> e : next.instances().entrySet()) {
            List<UpstreamGroup.Endpoint> endpoints = new ArrayList<>();
            for (Registration r : e.getValue()) {
                endpoints.add(new UpstreamGroup.Endpoint(r.host(), r.port(), 1));
            }
            UpstreamGroup g = groups.get(e.getKey());
            if (g == null) {
                g = new UpstreamGroup(e.getKey(), LoadBalancer.of(config.loadBalancing()),
                        config.connectTimeout(), config.readTimeout(), config.maxIdle(), config.idleTimeout(), endpoints);
                // The failover state first: a request that finds the group finds its state too.
                failover.put(e.getKey(), new ServiceResilience(config.failover(), g));
                groups.put(e.getKey(), g);
            } else {
                g.update(endpoints);
                failover.get(e.getKey()).forgetDeparted();
            }
        }
        for (Map.Entry<String, UpstreamGroup> e : groups.entrySet()) {
            if (!next.instances().containsKey(e.getKey())) {
                e.getValue().update(List.of());
                failover.get(e.getKey()).forgetDeparted();
            }
        }
        for (DispatchTable.Claim c : next.claims()) {
            remembered.computeIfAbsent(c.domain(), d -> new ArrayList<>());
            if (!remembered.get(c.domain()).contains(c.prefix())) {
                remembered.get(c.domain()).add(c.prefix());
            }
        }
        for (DispatchTable.Conflict c : next.conflicts()) {
            if (reportedConflicts.add(c.toString())) {
                LOG.warning("prefix conflict: " + c);
            }
        }
        DispatchTable previous = table;
        table = next;
        if (!previous.instances().equals(next.instances())) {
            LOG.info(() -> "dispatch table: " + summary(next));
        }
    }

    private static String summary(DispatchTable t) {
        StringBuilder sb = new StringBuilder();
        for (DispatchTable.Claim c : t.claims()) {
            sb.append(c.prefix()).append(" -> ").append(c.domain()).append(" (")
                    .append(t.instances(c.domain()).size()).append(" instances) ");
        }
        return sb.toString().trim();
    }

    /** Registrations refused by edge.yaml's {@code domains} since start. */
    long refusedRegistrations() {
        return config.domains().refused();
    }

    void close() {
        groups.values().forEach(UpstreamGroup::close);
        failover.values().forEach(ServiceResilience::close);
    }
}
