package io.concierge.gateway.composition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.telemetry.Tracing;

/**
 * A gateway's compositions with what they share, built once at startup: one
 * {@link CompositionClient} and one {@link DomainDirectory} (watching discovery only for the
 * domains some composition calls).
 */
public final class Compositions implements AutoCloseable {
    private final CompositionClient client;
    private final List<CompositionEndpoint> endpoints = new ArrayList<>();

    public Compositions(GatewayConfig config, Discovery discovery) {
        this(config, discovery, Tracing.disabled());
    }

    /** @param tracing where each call's CLIENT span goes (a child of the request's SERVER span) */
    public Compositions(GatewayConfig config, Discovery discovery, Tracing tracing) {
        Set<String> domains = new LinkedHashSet<>();
        config.compositions().forEach(c -> domains.addAll(c.domains()));
        this.client = new CompositionClient(config.listen().host(), new DomainDirectory(discovery, domains),
                tracing);
        String apiKeyHeader = config.security().apiKeys().consumers().isEmpty() ? null
                : config.security().apiKeys().header();
        for (CompositionConfig c : config.compositions()) {
            endpoints.add(new CompositionEndpoint(c, client, apiKeyHeader));
        }
    }

    public List<CompositionEndpoint> endpoints() {
        return endpoints;
    }

    /** Local calls go to this port, the gateway's own listener, once it is bound. */
    public void bind(int port) {
        client.bind(port);
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
