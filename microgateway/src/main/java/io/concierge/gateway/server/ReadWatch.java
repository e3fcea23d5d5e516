package io.concierge.gateway.server;

import java.io.IOException;
import java.net.Socket;

import io.concierge.gateway.deadline.DeadlineSlot;

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
 * <p>The states are {@link DeadlineSlot}'s: idle is not reading; a cut stays cut (the connection ends).
 */
final class ReadWatch extends DeadlineSlot {
    private final Socket socket;
    private final HeadSweeper clock;
    private final long timeoutNanos;

    ReadWatch(Socket socket, HeadSweeper clock, long timeoutNanos) {
        this.socket = socket;
        this.clock = clock;
        this.timeoutNanos = timeoutNanos;
    }

    /** The connection's thread, before a socket read (after a cut the watch stays cut). */
    void start() {
        if (state() == IDLE) {
            arm(clock.deadline(timeoutNanos));
        }
    }

    /**
     * The connection's thread, after the read returned or failed: true when it was in time; false
     * when the sweeper cut it (then only once the input is shut), and the connection must end as
     * after a read timeout.
     */
    boolean finish() {
        return disarm();
    }

    /** The sweeper won: shutting the input wakes the blocked read (end of stream). */
    @Override
    protected void cut() {
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            try {
                socket.close(); // no answer then, but the connection ends
            } catch (IOException ignored) {
                // closed either way
            }
        }
    }
}
