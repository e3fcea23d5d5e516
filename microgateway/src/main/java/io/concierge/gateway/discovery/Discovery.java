package io.concierge.gateway.discovery;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The discovery SPI: a gateway registers itself; the edge (and gateways that call each other)
 * watch the registrations. Implementations: {@link EmbeddedRegistry} (Hazelcast, the default),
 * {@link StaticDiscovery} (from configuration) and, in the consul module, Consul.
 */
public interface Discovery extends AutoCloseable {
    void register(Registration registration);

    void deregister(String instanceId);

    /** Every live registration now. */
    List<Registration> snapshot();

    /**
     * Calls {@code listener} with the full set of live registrations now and after every change,
     * serially (never two calls at once).
     */
    void watch(Consumer<List<Registration>> listener);

    /** Name and state for health output, e.g. {@code {"type":"embedded","members":3}}. */
    Map<String, Object> describe();

    @Override
    void close();
}
