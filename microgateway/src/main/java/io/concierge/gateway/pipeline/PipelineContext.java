package io.concierge.gateway.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.hazelcast.core.HazelcastInstance;

/**
 * What filters need when they are built at startup, and the state the filters of one server share
 * (JWKS caches, rate-limit counters, security counters). One context per gateway or edge: the state
 * lives and dies with its server, so two gateways in one JVM (tests) never share it and nothing is
 * kept in static maps.
 */
public final class PipelineContext implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PipelineContext.class.getName());

    private final String owner;
    private final HazelcastInstance cluster;
    private final Map<Class<?>, Object> state = new LinkedHashMap<>();

    /**
     * @param owner   {@code edge} or the gateway's domain, for metric and log names
     * @param cluster the mesh's Hazelcast member, or null when the process runs without one
     */
    public PipelineContext(String owner, HazelcastInstance cluster) {
        this.owner = owner;
        this.cluster = cluster;
    }

    public String owner() {
        return owner;
    }

    public HazelcastInstance cluster() {
        return cluster;
    }

    /** The server's shared state of this type, created on first use. */
    public synchronized <T> T state(Class<T> type, Supplier<T> create) {
        return type.cast(state.computeIfAbsent(type, t -> create.get()));
    }

    /** The server's shared state of this type, or null when no filter created it. */
    public synchronized <T> T existingState(Class<T> type) {
        return type.cast(state.get(type));
    }

    /** Closes the shared state that needs it (background refreshes, timers), newest first. */
    @Override
    public void close() {
        List<Object> all;
        synchronized (this) {
            all = new ArrayList<>(state.values());
            state.clear();
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i) instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.log(Level.WARNING, owner + ": closing " + c.getClass().getSimpleName() + " failed", e);
                }
            }
        }
    }
}
