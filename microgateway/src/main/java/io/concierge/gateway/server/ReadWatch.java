package io.concierge.gateway.server;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;

/**
 * The client read timeout ({@code read-timeout}) of one HTTP/1.x connection whose socket has no
 * {@code SO_TIMEOUT}: before each socket read the connection's thread publishes the read's deadline,
 * after it takes it back with one compare-and-set, and the server's {@link HeadSweeper} shuts the
 * input of a socket whose read is overdue. Shutting only the input wakes the blocked read (it sees
 * the end of the stream) and leaves the output open, so a stalled body can still be answered 408 as
 * after a socket timeout.
 *
 * <p>Why not {@code SO_TIMEOUT}: on virtual threads a socket read with a timeout is a timed park,
 * which schedules a task on the ForkJoinPool's delay scheduler and wakes its thread; with the
 * upstream reads doing the same, that cost about a third of a gateway hop's CPU (issue 19). The
 * price is precision: a stalled read is cut between the timeout and the timeout plus the sweep
 * period ({@link HeadSweeper#periodMillis}).
 *
 * <p>States: {@link #IDLE} (not reading), a deadline {@code > 0} (on the sweeper's clock),
 * {@link #CUTTING} (the sweeper won the race and is shutting the input), {@link #CUT}.
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

    private final Socket socket;
    private final HeadSweeper clock;
    private final long timeoutNanos;
    @SuppressWarnings("unused") // through STATE
    private volatile long state = IDLE;

    ReadWatch(Socket socket, HeadSweeper clock, long timeoutNanos) {
        this.socket = socket;
        this.clock = clock;
        this.timeoutNanos = timeoutNanos;
    }

    /** The connection's thread, before a socket read. */
    void start() {
        if (state == IDLE) {
            state = clock.deadline(timeoutNanos);
        }
    }

    /**
     * The connection's thread, after the read returned or failed: true when it was in time; false
     * when the sweeper cut it (then only once the input is shut), and the connection must end as
     * after a read timeout.
     */
    boolean finish() {
        long s = state;
        if (s > 0 && STATE.compareAndSet(this, s, IDLE)) {
            return true;
        }
        while (state == CUTTING) {
            Thread.onSpinWait(); // the sweeper is between its compare-and-set and the close
        }
        return state == IDLE;
    }

    /** The sweeper: shuts the input if the read in progress is overdue at {@code now}; true when it did. */
    boolean cutIfOverdue(long now) {
        long s = state;
        if (s <= 0 || now - s < 0 || !STATE.compareAndSet(this, s, CUTTING)) {
            return false;
        }
        try {
            socket.shutdownInput(); // the blocked read returns: end of stream
        } catch (IOException e) {
            try {
                socket.close(); // no answer then, but the connection ends
            } catch (IOException ignored) {
                // closed either way
            }
        }
        state = CUT;
        return true;
    }
}
