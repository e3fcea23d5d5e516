package io.concierge.gateway.server;

/**
 * A server that can leave gracefully before it is closed: the process's shutdown hook calls
 * {@link #drain()} and then {@code close()}. Tests that close a server directly skip the drain.
 */
public interface Drainable {
    /** Stops taking new traffic (deregisters, answers not-ready) and waits out the drain window. */
    void drain() throws InterruptedException;
}
