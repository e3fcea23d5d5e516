package io.concierge.gateway.server;

import java.util.concurrent.atomic.AtomicLong;

import io.concierge.gateway.deadline.DeadlineSweeper;

/**
 * One server's coarse clock for request-head deadlines and client reads: a {@link DeadlineSweeper}
 * that looks at each live connection's {@link HeadSlot} every period, cuts the heads and the reads
 * ({@link ReadWatch}) that are overdue, counts them, and drops the slots of connections that have
 * ended. It runs only while the server has connections.
 *
 * <p>A head or a read is therefore cut between its timeout and its timeout plus the period: a tenth
 * of the shortest header or read timeout, between {@value #MIN_PERIOD_MILLIS} and
 * {@value #MAX_PERIOD_MILLIS} ms.
 */
final class HeadSweeper implements AutoCloseable {
    static final long MIN_PERIOD_MILLIS = 10;
    static final long MAX_PERIOD_MILLIS = 100;

    private final DeadlineSweeper<HeadSlot> sweeper;

    HeadSweeper(AtomicLong headsCut) {
        this(headsCut, new AtomicLong());
    }

    HeadSweeper(AtomicLong headsCut, AtomicLong readsCut) {
        this.sweeper = new DeadlineSweeper<>("concierge-head-deadline", MIN_PERIOD_MILLIS, MAX_PERIOD_MILLIS,
                (slot, now) -> {
                    if (slot.gone()) {
                        return true;
                    }
                    if (slot.cutIfOverdue(now)) {
                        headsCut.incrementAndGet();
                    }
                    ReadWatch reads = slot.reads();
                    if (reads != null && reads.cutIfOverdue(now)) {
                        readsCut.incrementAndGet();
                    }
                    return false;
                });
    }

    /** A listener enforces this header or read timeout: sweep often enough for it. */
    void useTimeout(long timeoutNanos) {
        sweeper.useTimeout(timeoutNanos);
    }

    /** The period in milliseconds (the precision of a head deadline or a read timeout). */
    long periodMillis() {
        return sweeper.periodMillis();
    }

    /** The deadline, on this sweeper's clock, of a wait that starts now and may take {@code timeoutNanos}. */
    long deadline(long timeoutNanos) {
        return sweeper.deadline(timeoutNanos);
    }

    /** A new connection's slot (once per connection); starts sweeping if it was idle. */
    void register(HeadSlot slot) {
        sweeper.register(slot);
    }

    /** Whether the sweep runs (it does not while the server has no connection). */
    boolean sweeping() {
        return sweeper.sweeping();
    }

    /** Live connections' slots known to the sweeper. */
    int slots() {
        return sweeper.size();
    }

    @Override
    public void close() {
        sweeper.close();
    }
}
