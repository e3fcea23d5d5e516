package io.concierge.gateway.composition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.concierge.gateway.balancing.LoadBalancer;
import io.concierge.gateway.config.LoadBalancing;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.tls.MeshTlsConfig;
import io.concierge.gateway.tls.UpstreamTls;

/**
 * The live gateway instances of the domains this gateway composes from, kept current from
 * discovery: every change of the registrations updates each domain's upstream group in place
 * (round robin; pooled connections to instances that stay survive). A domain whose last instance
 * left has an empty group, and calls to it fail at once instead of waiting on a dead address.
 *
 * <p>A gateway registered with {@code scheme: https} is called over TLS as {@code mesh-tls} says
 * (verified against its CA, with the client certificate when one is set); a plain one plainly,
 * or not at all when {@code mesh-tls.required} is set.
 */
public final class DomainDirectory implements AutoCloseable {
    /** How long to wait for another gateway to accept a connection; it is on the same network. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    private final Map<String, UpstreamGroup> groups = new LinkedHashMap<>();
    private final MeshTlsConfig meshTls;
    private volatile boolean closed;

    public DomainDirectory(Discovery discovery, Set<String> domains, MeshTlsConfig meshTls) {
        this.meshTls = meshTls;
        for (String d : domains) {
            String name = "gateway of domain '" + d + "'";
            groups.put(d, gatewayGroup(name, 32, UpstreamTls.start(name, meshTls.client())));
        }
        if (!groups.isEmpty()) {
            discovery.watch(this::update);
        }
    }

    /**
     * An initially empty group of gateway instances for composition calls: round robin, a short
     * connect timeout (see above), read time bounded by each call's own deadline.
     */
    static UpstreamGroup gatewayGroup(String name, int maxIdle, UpstreamTls tls) {
        return new UpstreamGroup(name, LoadBalancer.of(LoadBalancing.ROUND_ROBIN), CONNECT_TIMEOUT,
                Duration.ofSeconds(30), maxIdle, Duration.ofSeconds(4), List.of(), tls);
    }

    private void update(List<Registration> registrations) {
        if (closed) {
            return; // the SPI has no unwatch; a stopped gateway ignores later changes
        }
        Map<String, List<UpstreamGroup.Endpoint>> byDomain = new LinkedHashMap<>();
        groups.keySet().forEach(d -> byDomain.put(d, new ArrayList<>()));
        for (Registration r : registrations) {
            List<UpstreamGroup.Endpoint> list = byDomain.get(r.domain());
            if (list != null && meshTls.admits(r)) {
                list.add(new UpstreamGroup.Endpoint(r.host(), r.port(), 1, !r.https()));
            }
        }
        byDomain.forEach((d, endpoints) -> groups.get(d).update(endpoints));
    }

    /** The domain's gateways; never null for a domain named at construction. */
    public UpstreamGroup group(String domain) {
        UpstreamGroup g = groups.get(domain);
        if (g == null) {
            throw new IllegalArgumentException("domain '" + domain + "' is not composed from");
        }
        return g;
    }

    /** Instances per domain, for health output. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        groups.forEach((d, g) -> m.put(d, g.instances().size()));
        return m;
    }

    @Override
    public void close() {
        closed = true;
        groups.values().forEach(UpstreamGroup::close);
    }
}
