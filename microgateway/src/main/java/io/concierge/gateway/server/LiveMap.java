package io.concierge.gateway.server;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A read-only view of whichever map {@code current} supplies at the moment it is read: the
 * services, breakers and channels of a gateway's running generation, for {@code /health},
 * {@code /admin} and {@code /metrics}, which are wired once but must follow reloads. Every read
 * (iteration included) goes to the map of that moment; it is never on a request's path.
 */
final class LiveMap<K, V> extends AbstractMap<K, V> {
    private final Supplier<Map<K, V>> current;

    LiveMap(Supplier<Map<K, V>> current) {
        this.current = current;
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return current.get().entrySet();
    }

    @Override
    public V get(Object key) {
        return current.get().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return current.get().containsKey(key);
    }
}
