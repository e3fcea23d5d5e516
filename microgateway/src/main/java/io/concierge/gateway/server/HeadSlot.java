package io.concierge.gateway.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One connection's request-head deadline (and, on a plain HTTP/1.x connection, its {@link ReadWatch}),
 * owned by the connection's thread and read by the server's {@link HeadSweeper}. Made once per connection, so a request only writes a deadline at
 * its request line and takes it back with one compare-and-set when its headers are complete.
 *
 * <p>States: {@link #IDLE} (no head in progress), a deadline {@code > 0} (on the sweeper's clock),
 * {@link #CUTTING} (the sweeper won the race and is interrupting the thread), {@link #CUT} (the
 * interrupt is delivered).
 */
final class HeadSlot {
    static final long IDLE = 0;
    static final long CUTTING = -1;
    static final long CUT = -2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(HeadSlot.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread;
    /** The connection's read timeout when its socket has no {@code SO_TIMEOUT}; else null. */
    private final ReadWatch reads;
    @SuppressWarnings("unused") // through STATE
    private volatile long state = IDLE;

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
        state = deadline;
    }

    /**
     * The connection's thread: the head is complete or refused. True when it made it in time (or
     * no head was pending); false when the sweeper cut it, and then only once the sweeper's
     * interrupt has been delivered, so the caller can clear it.
     */
    boolean finish() {
        long s = state;
        if (s == IDLE || s > 0 && STATE.compareAndSet(this, s, IDLE)) {
            return true;
        }
        while (state == CUTTING) {
            Thread.onSpinWait(); // the sweeper is between its compare-and-set and the interrupt
        }
        state = IDLE;
        return false;
    }

    /** The sweeper: cuts the head if it is overdue at {@code now}; true when it did. */
    boolean cutIfOverdue(long now) {
        long s = state;
        if (s <= 0 || now - s < 0 || !STATE.compareAndSet(this, s, CUTTING)) {
            return false;
        }
        thread.interrupt();
        state = CUT;
        return true;
    }

    /** The connection has ended: its thread will not start another head. */
    boolean gone() {
        return !thread.isAlive();
    }
}
