package io.concierge.gateway.pool;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
import java.nio.channels.Channel;

/**
 * The read timeout of one upstream connection, enforced without a timed socket read: the thread
 * using the connection publishes the deadline of each blocking read here, and the
 * {@link UpstreamReadSweeper} closes the channel of a read that is overdue.
 *
 * <p>Why not {@code SO_TIMEOUT}: on a virtual thread a timed socket read is a timed park, which
 * schedules and cancels a task on the scheduler's timer thread and wakes it, a few futex calls and
 * context switches per read. A watched read costs one {@link System#nanoTime()} and a volatile write
 * before it and one compare-and-set after it; no allocation, no lock.
 *
 * <p>States: {@link #IDLE} (no watched read in progress), a deadline {@code > 0} (on the sweeper's
 * clock), {@link #CUTTING} (the sweeper won the race and is closing the channel), {@link #CUT} (closed;
 * final). A read that ends before the sweeper looks at it takes its deadline back with a
 * compare-and-set and can never be cut; a read that loses that compare-and-set ended after its
 * deadline and reports a timeout, whatever the socket returned.
 */
final class ReadWatch {
    static final long IDLE = 0;
    static final long CUTTING = -1;
    static final long CUT = -2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ReadWatch.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Null for a reader whose reads are never watched (a head reader over a plain stream, in tests). */
    private final UpstreamReadSweeper sweeper;
    private final Channel channel;
    /** The timeout of each read; 0 = reads are not watched. Written and read by the owning thread only. */
    private long timeoutNanos;
    /** Set by the owning thread when it lost a read to the sweeper: the connection is finished. */
    private boolean timedOut;
    @SuppressWarnings("unused") // through STATE
    private volatile long state = IDLE;

    ReadWatch(UpstreamReadSweeper sweeper, Channel channel) {
        this.sweeper = sweeper;
        this.channel = channel;
    }

    /** The owning thread: each following read may wait {@code nanos} (> 0) for its first byte. */
    void timeout(long nanos) {
        timeoutNanos = nanos;
        sweeper.useTimeout(nanos);
    }

    /** Whether a read on this connection timed out (the sweeper closed it). */
    boolean timedOut() {
        return timedOut;
    }

    /**
     * The owning thread, before a blocking read: publishes its deadline.
     *
     * @return the token to hand to {@link #end}
     * @throws SocketTimeoutException when an earlier read on this connection timed out
     */
    long begin() throws SocketTimeoutException {
        if (timedOut) {
            throw timeoutException(null);
        }
        long t = timeoutNanos;
        if (t == 0) {
            return IDLE;
        }
        long deadline = sweeper.deadline(t);
        state = deadline;
        return deadline;
    }

    /**
     * The owning thread, after the read returned or threw: takes the deadline back. True when the
     * read was in time (or not watched); false when the sweeper cut it, and then it is a timeout.
     */
    boolean end(long token) {
        if (token == IDLE || STATE.compareAndSet(this, token, IDLE)) {
            return true;
        }
        timedOut = true;
        return false;
    }

    /** What a read that lost to the sweeper throws, as a socket read timeout would. */
    SocketTimeoutException timeoutException(IOException cause) {
        SocketTimeoutException e = new SocketTimeoutException("Read timed out (no upstream bytes for "
                + timeoutNanos / 1_000_000 + " ms)");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /**
     * The sweeper: cuts the read in progress if its deadline has passed at {@code now} (strictly:
     * a read is never cut before its full timeout); true when it did.
     */
    boolean cutIfOverdue(long now) {
        long s = state;
        if (s <= 0 || now - s <= 0 || !STATE.compareAndSet(this, s, CUTTING)) {
            return false;
        }
        try {
            channel.close(); // unblocks the reader with an exception
        } catch (IOException ignored) {
            // Closed either way; the reader reports the timeout.
        }
        state = CUT;
        return true;
    }

    /** The connection is closed: nothing left to watch. */
    boolean gone() {
        return !channel.isOpen();
    }
}
