package io.concierge.gateway.discovery;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Registrations fixed by configuration: nothing joins or leaves, nothing is published. */
public final class StaticDiscovery implements Discovery {
    private final List<Registration> registrations;

    public StaticDiscovery(List<Registration> registrations) {
        this.registrations = List.copyOf(registrations);
    }

    @Override
    public void register(Registration registration) {
        // A static mesh is described by the edge's configuration; gateways publish nothing.
    }

    @Override
    public void deregister(String instanceId) {
    }

    @Override
    public List<Registration> snapshot() {
        return registrations;
    }

    @Override
    public void watch(Consumer<List<Registration>> listener) {
        listener.accept(registrations);
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of("type", "static", "registrations", registrations.size());
    }

    @Override
    public void close() {
    }
}
