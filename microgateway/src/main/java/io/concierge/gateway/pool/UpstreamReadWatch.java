package io.concierge.gateway.pool;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.Channel;

import io.concierge.gateway.deadline.DeadlineSlot;

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
 * <p>The states are {@link DeadlineSlot}'s: idle is no watched read in progress; a cut closes the
 * channel and is final. A read that ends before the sweeper looks at it takes its deadline back with a
 * compare-and-set and can never be cut; a read that loses that compare-and-set ended after its
 * deadline and reports a timeout, whatever the socket returned.
 */
final class UpstreamReadWatch extends DeadlineSlot {
    /** Null for a reader whose reads are never watched (a head reader over a plain stream, in tests). */
    private final UpstreamReadSweeper sweeper;
    private final Channel channel;
    /** The timeout of each read; 0 = reads are not watched. Written and read by the owning thread only. */
    private long timeoutNanos;
    /** Set by the owning thread when it lost a read to the sweeper: the connection is finished. */
    private boolean timedOut;

    UpstreamReadWatch(UpstreamReadSweeper sweeper, Channel channel) {
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
     * @return the read's deadline on the sweeper's clock, or {@link #IDLE} when reads are not watched
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
        arm(deadline);
        return deadline;
    }

    /**
     * The owning thread, after the read returned or threw: takes the deadline back. True when the
     * read was in time (or not watched); false when the sweeper cut it, and then it is a timeout.
     */
    boolean end() {
        if (disarm()) {
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

    /** The sweeper won: closing the channel unblocks the reader with an exception. */
    @Override
    protected void cut() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closed either way; the reader reports the timeout.
        }
    }

    /** The connection is closed: nothing left to watch. */
    boolean gone() {
        return !channel.isOpen();
    }
}
