package io.concierge.gateway.composition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.telemetry.Tracing;
import io.concierge.gateway.tls.MeshTlsConfig;

/**
 * A gateway's compositions with what they share, built once at startup: one
 * {@link CompositionClient} and one {@link DomainDirectory} (watching discovery only for the
 * domains some composition calls).
 */
public final class Compositions implements AutoCloseable {
    private final CompositionClient client;
    private final List<CompositionEndpoint> endpoints = new ArrayList<>();

    /**
     * @param compositions the gateway's compositions
     * @param apiKeyHeader the domain's API-key header, forwarded with every call like
     *                     {@code Authorization}; null when the domain has no API keys
     * @param meshTls      how the gateways of other domains are called ({@code mesh-tls})
     * @param discovery    where the gateways of other domains are found
     * @param tracing      where each call's span goes (a child of the request's SERVER span)
     */
    public Compositions(List<CompositionConfig> compositions, String apiKeyHeader, MeshTlsConfig meshTls,
                        Discovery discovery, Tracing tracing) {
        Set<String> domains = new LinkedHashSet<>();
        compositions.forEach(c -> domains.addAll(c.domains()));
        this.client = new CompositionClient(new DomainDirectory(discovery, domains, meshTls), tracing);
        for (CompositionConfig c : compositions) {
            endpoints.add(new CompositionEndpoint(c, client, apiKeyHeader));
        }
    }

    public List<CompositionEndpoint> endpoints() {
        return endpoints;
    }

    /**
     * Local calls run through these routes: set once the gateway's route table (which holds the
     * compositions' own routes) is built, before the gateway serves.
     */
    public void bindLocal(LocalCalls routes) {
        client.bindLocal(routes);
    }

    /** The {@code composition} section of {@code /health}. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("endpoints", endpoints.stream().map(e -> e.config().id()).toList());
        m.putAll(client.describe());
        return m;
    }

    @Override
    public void close() {
        client.close();
    }
}
