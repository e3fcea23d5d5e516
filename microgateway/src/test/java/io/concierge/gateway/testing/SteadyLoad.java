package io.concierge.gateway.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Steady traffic for the "no request fails while …" tests (reloads, drains): client threads send
 * GETs on keep-alive connections of a few requests each until closed; every answer other than 200
 * and every I/O error is recorded as a failure. Closing stops and joins the threads.
 */
public final class SteadyLoad implements AutoCloseable {
    private static final int PER_CONNECTION = 20;

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger done = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> clients = new ArrayList<>();

    private SteadyLoad() {
    }

    /** {@code clients} threads sending {@code GET path.apply(i)} to {@code 127.0.0.1:port}. */
    public static SteadyLoad start(String name, int port, int clients, IntFunction<String> path) {
        SteadyLoad load = new SteadyLoad();
        for (int t = 0; t < clients; t++) {
            load.clients.add(Thread.ofPlatform().name(name + "-" + t).start(() -> load.run(port, path)));
        }
        return load;
    }

    private void run(int port, IntFunction<String> path) {
        while (running.get()) {
            try (WireClient c = WireClient.connect(port)) {
                for (int i = 0; i < PER_CONNECTION && running.get(); i++) {
                    c.send(c.head("GET", path.apply(i)));
                    WireResponse r = c.readResponse();
                    if (r.status() != 200) {
                        failures.add(r.statusLine() + " " + r.bodyText());
                    }
                    done.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                failures.add(e.toString());
            }
        }
    }

    /** Requests answered so far. */
    public int done() {
        return done.get();
    }

    /** Waits (bounded) until at least {@code more} further requests have been answered. */
    public void awaitProgress(String what, int more, Duration bound) {
        int before = done.get();
        Poll.until(what, bound, () -> done.get() > before + more);
    }

    /** What failed so far, for an assertion message: empty when nothing did. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** A one-line summary for assertion messages. */
    public String summary() {
        return failures.size() + " failed of " + done.get() + ": " + failures.peek();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : clients) {
            t.join(10_000);
        }
    }
}
