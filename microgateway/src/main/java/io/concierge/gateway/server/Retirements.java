package io.concierge.gateway.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What an old configuration generation alone owned (upstream pools, breakers, channels, a replaced
 * security state), closed once the requests that started on it can no longer be running: after
 * the generation's drain time. Closing them at once would cut requests in flight; never closing
 * them would leak their threads and sockets. On server stop everything pending is closed at once.
 */
public final class Retirements implements AutoCloseable {
    private final String owner;
    private final List<List<AutoCloseable>> pending = new ArrayList<>();
    private ScheduledExecutorService timer;
    private boolean closed;

    public Retirements(String owner) {
        this.owner = owner;
    }

    /** Closes {@code retired} after {@code drain}, in order. */
    public synchronized void after(Duration drain, List<AutoCloseable> retired) {
        if (closed) {
            retired.forEach(GatewayGeneration::closeQuietly);
            return;
        }
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, owner + "-config-retire");
                t.setDaemon(true);
                return t;
            });
        }
        pending.add(retired);
        timer.schedule(() -> retire(retired), drain.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void retire(List<AutoCloseable> retired) {
        synchronized (this) {
            if (!pending.remove(retired)) {
                return; // closed with the server meanwhile
            }
        }
        retired.forEach(GatewayGeneration::closeQuietly);
    }

    /** How many retired generations still wait to be closed (for tests and /admin). */
    public synchronized int pending() {
        return pending.size();
    }

    @Override
    public void close() {
        List<List<AutoCloseable>> now;
        synchronized (this) {
            closed = true;
            if (timer != null) {
                timer.shutdownNow();
            }
            now = new ArrayList<>(pending);
            pending.clear();
        }
        now.forEach(list -> list.forEach(GatewayGeneration::closeQuietly));
    }
}
