package io.concierge.gateway.server;

import io.concierge.gateway.deadline.DeadlineSlot;

/**
 * One connection's request-head deadline (and, on a plain HTTP/1.x connection, its {@link ReadWatch}),
 * owned by the connection's thread and read by the server's {@link HeadSweeper}. Made once per
 * connection, so a request only writes a deadline at its request line and takes it back with one
 * compare-and-set when its headers are complete.
 *
 * <p>The states are {@link DeadlineSlot}'s: idle is no head in progress; cutting the head interrupts
 * the connection's thread.
 */
final class HeadSlot extends DeadlineSlot {
    private final Thread thread;
    /** The connection's read timeout when its socket has no {@code SO_TIMEOUT}; else null. */
    private final ReadWatch reads;

    HeadSlot(Thread thread) {
        this(thread, null);
    }

    HeadSlot(Thread thread, ReadWatch reads) {
        this.thread = thread;
        this.reads = reads;
    }

    /** The read watch of this connection, or null when its socket keeps {@code SO_TIMEOUT}. */
    ReadWatch reads() {
        return reads;
    }

    /** The connection's thread: a request line arrived; its head must be complete by {@code deadline}. */
    void start(long deadline) {
        arm(deadline);
    }

    /**
     * The connection's thread: the head is complete or refused. True when it made it in time (or
     * no head was pending); false when the sweeper cut it, and then only once the sweeper's
     * interrupt has been delivered, so the caller can clear it.
     */
    boolean finish() {
        if (disarm()) {
            return true;
        }
        reset();
        return false;
    }

    /** The sweeper won: interrupting the thread closes the socket it is blocked on (JEP 444). */
    @Override
    protected void cut() {
        thread.interrupt();
    }

    /** The connection has ended: its thread will not start another head. */
    boolean gone() {
        return !thread.isAlive();
    }
}
