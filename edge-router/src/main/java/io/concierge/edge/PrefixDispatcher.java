package io.concierge.edge;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import io.concierge.gateway.balancing.LoadBalancer;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.tls.MeshTlsConfig;
import io.concierge.gateway.tls.UpstreamTls;

/**
 * Follows discovery and keeps, per domain, an upstream group of that domain's gateway instances.
 * Updates arrive serially from discovery; requests read the current table without locking.
 */
final class PrefixDispatcher {
    private static final Logger LOG = Logger.getLogger(PrefixDispatcher.class.getName());

    private volatile EdgeConfig config;
    /** A domain's group with its failover state, swapped together so a request never mixes two. */
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private List<Registration> lastRegistrations = List.of();
    private final Map<String, List<String>> remembered = new LinkedHashMap<>();
    private final Set<String> reportedConflicts = new HashSet<>();
    /** Plain gateways refused under {@code upstream.tls.required}, each logged once. */
    private final Set<String> refusedPlain = new HashSet<>();
    private volatile DispatchTable table = DispatchTable.EMPTY;

    PrefixDispatcher(EdgeConfig config) {
        this.config = config;
    }

    DispatchTable table() {
        return table;
    }

    /** A domain's gateway instances and their failover state, as one pair. */
    record Target(UpstreamGroup group, ServiceResilience failover) {
    }

    UpstreamGroup group(String domain) {
        Target t = targets.get(domain);
        return t == null ? null : t.group();
    }

    /** The domain's group and failover state, read together (one map read per request). */
    Target target(String domain) {
        return targets.get(domain);
    }

    /** Retry budget and ejections of a domain's instances; present whenever its group is. */
    ServiceResilience failover(String domain) {
        Target t = targets.get(domain);
        return t == null ? null : t.failover();
    }

    /** Every domain's failover state, by domain: a snapshot for metrics and admin (not per request). */
    Map<String, ServiceResilience> failover() {
        Map<String, ServiceResilience> m = new TreeMap<>();
        targets.forEach((domain, t) -> m.put(domain, t.failover()));
        return m;
    }

    synchronized void update(List<Registration> discovered) {
        lastRegistrations = List.copyOf(discovered);
        // Claims the edge's own domain list does not allow never reach the table.
        List<Registration> registrations = config.domains().admit(discovered);
        DispatchTable next = DispatchTable.build(registrations, remembered);
        for (Map.Entry<String, List<Registration>> e : next.instances().entrySet()) {
            List<UpstreamGroup.Endpoint> endpoints = endpoints(e.getValue());
            Target t = targets.get(e.getKey());
            if (t == null) {
                install(e.getKey(), endpoints);
            } else {
                t.group().update(endpoints);
                t.failover().forgetDeparted();
            }
        }
        for (Map.Entry<String, Target> e : targets.entrySet()) {
            if (!next.instances().containsKey(e.getKey())) {
                e.getValue().group().update(List.of());
                e.getValue().failover().forgetDeparted();
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

    /**
     * A domain's instances as the group calls them: over TLS when the registration says
     * {@code scheme: https}, plainly otherwise; a plain one is left out when {@code upstream.tls.required}
     * is set, so a registry entry cannot downgrade the hop (the domain then answers 503 until a TLS
     * instance registers).
     */
    private List<UpstreamGroup.Endpoint> endpoints(List<Registration> registrations) {
        MeshTlsConfig tls = config.gatewayTls();
        List<UpstreamGroup.Endpoint> endpoints = new ArrayList<>(registrations.size());
        for (Registration r : registrations) {
            if (!tls.admits(r)) {
                if (refusedPlain.add(r.instanceId())) {
                    LOG.warning(() -> "gateway " + r.instanceId() + " of domain '" + r.domain() + "' at " + r.host() + ":"
                            + r.port() + " registered without TLS; upstream.tls.required refuses it");
                }
                continue;
            }
            endpoints.add(new UpstreamGroup.Endpoint(r.host(), r.port(), 1, !r.https()));
        }
        return endpoints;
    }

    private void install(String domain, List<UpstreamGroup.Endpoint> endpoints) {
        EdgeConfig c = config;
        // The group owns (and closes) its TLS client: a rebuilt group never uses a closed one.
        UpstreamGroup g = new UpstreamGroup(domain, LoadBalancer.of(c.loadBalancing()), c.connectTimeout(),
                c.readTimeout(), c.maxIdle(), c.idleTimeout(), endpoints,
                UpstreamTls.start("gateways of domain '" + domain + "'", c.gatewayTls().client()));
        ServiceResilience rz = new ServiceResilience(c.failover(), g);
        targets.put(domain, new Target(g, rz));
    }

    /**
     * A reloaded edge.yaml: when the settings of the domains' groups changed (load balancing,
     * timeouts, pool, failover, TLS to the gateways), every domain gets a new group and failover state over the same
     * instances; the replaced ones are returned, to be closed once requests on them have drained.
     */
    synchronized List<AutoCloseable> reconfigure(EdgeConfig next) {
        EdgeConfig old = config;
        config = next;
        if (old.loadBalancing() == next.loadBalancing() && old.connectTimeout().equals(next.connectTimeout())
                && old.readTimeout().equals(next.readTimeout()) && old.maxIdle() == next.maxIdle()
                && old.idleTimeout().equals(next.idleTimeout()) && old.failover().equals(next.failover())
                && old.gatewayTls().equals(next.gatewayTls())) {
            update(lastRegistrations); // the new file's domains list decides which claims count
            return List.of();
        }
        List<AutoCloseable> retired = new ArrayList<>();
        for (Target t : List.copyOf(targets.values())) {
            retired.add(t.group()::close);
            retired.add(t.failover());
        }
        DispatchTable t = DispatchTable.build(next.domains().admit(lastRegistrations), remembered);
        for (String domain : List.copyOf(targets.keySet())) {
            install(domain, endpoints(t.instances(domain)));
        }
        update(lastRegistrations); // the new file's domains list decides which claims count
        return retired;
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
        targets.values().forEach(t -> {
            t.group().close();
            t.failover().close();
        });
    }
}
