package io.concierge.gateway.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test started (servers, upstreams, members, exporters), closed after it in reverse order so
 * that a gateway stops before the upstream or registry it uses. One failing close does not leave the
 * others running: all are closed, then the first failure is rethrown.
 */
public final class Resources implements AutoCloseable {
    private final List<AutoCloseable> started = new ArrayList<>();

    /** Remembers {@code resource} to be closed by {@link #close()}; returns it. */
    public synchronized <T extends AutoCloseable> T track(T resource) {
        started.add(resource);
        return resource;
    }

    /** Closes everything tracked, the last first; may be called again (it then closes what was tracked since). */
    @Override
    public void close() throws Exception {
        List<AutoCloseable> toClose;
        synchronized (this) {
            toClose = new ArrayList<>(started);
            started.clear();
        }
        Exception first = null;
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
