package io.concierge.gateway.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.Registration;

/**
 * A discovery shared by gateways in one test JVM: registrations live in memory and every change
 * is delivered to every watcher at once, on the thread that made it (serially: changes are
 * synchronized). For tests of what gateways do with discovery, not of discovery itself (the
 * embedded registry has its own tests on a real cluster).
 */
public final class MemoryDiscovery implements Discovery {
    private final List<Registration> registrations = new ArrayList<>();
    private final List<Consumer<List<Registration>>> watchers = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void register(Registration registration) {
        registrations.removeIf(r -> r.instanceId().equals(registration.instanceId()));
        registrations.add(registration);
        notifyWatchers();
    }

    @Override
    public synchronized void deregister(String instanceId) {
        registrations.removeIf(r -> r.instanceId().equals(instanceId));
        notifyWatchers();
    }

    @Override
    public synchronized List<Registration> snapshot() {
        return List.copyOf(registrations);
    }

    @Override
    public synchronized void watch(Consumer<List<Registration>> listener) {
        watchers.add(listener);
        listener.accept(List.copyOf(registrations));
    }

    private void notifyWatchers() {
        List<Registration> now = List.copyOf(registrations);
        watchers.forEach(w -> w.accept(now));
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of("type", "memory");
    }

    @Override
    public void close() {
        watchers.clear();
    }
}
