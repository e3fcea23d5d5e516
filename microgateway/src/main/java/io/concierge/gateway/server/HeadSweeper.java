package io.concierge.gateway.server;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One server's coarse clock for request-head deadlines and client reads: every period it looks at
 * each live connection's {@link HeadSlot} and cuts the heads and the reads ({@link ReadWatch}) that
 * are overdue. It runs only while the server
 * has connections (the first connection starts it, the sweep that finds none stops it), and drops
 * the slots of connections that have ended.
 *
 * <p>A head is therefore cut between its timeout and its timeout plus the period: a tenth of the
 * shortest header timeout, between {@value #MIN_PERIOD_MILLIS} and {@value #MAX_PERIOD_MILLIS} ms.
 */
final class HeadSweeper implements AutoCloseable {
    static final long MIN_PERIOD_MILLIS = 10;
    static final long MAX_PERIOD_MILLIS = 100;

    /** Zero point of the deadlines, so that every deadline is {@code > 0} (0 and below are states). */
    private final long origin = System.nanoTime() - 1;
    private final Set<HeadSlot> slots = ConcurrentHashMap.newKeySet();
    private final AtomicLong headsCut;
    private final AtomicLong readsCut;
    private final ScheduledThreadPoolExecutor timer;
    private long periodNanos = TimeUnit.MILLISECONDS.toNanos(MAX_PERIOD_MILLIS); // guarded by this
    private ScheduledFuture<?> sweeping; // guarded by this; null while there is no connection
    private boolean closed; // guarded by this

    HeadSweeper(AtomicLong headsCut) {
        this(headsCut, new AtomicLong());
    }

    HeadSweeper(AtomicLong headsCut, AtomicLong readsCut) {
        this.headsCut = headsCut;
        this.readsCut = readsCut;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "concierge-head-deadline");
            th.setDaemon(true);
            return th;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /** A listener enforces this header or read timeout: sweep often enough for it. */
    synchronized void useTimeout(long timeoutNanos) {
        long wanted = Math.clamp(timeoutNanos / 10, TimeUnit.MILLISECONDS.toNanos(MIN_PERIOD_MILLIS),
                TimeUnit.MILLISECONDS.toNanos(MAX_PERIOD_MILLIS));
        periodNanos = Math.min(periodNanos, wanted);
    }

    /** The period in milliseconds (the precision of a head deadline). */
    synchronized long periodMillis() {
        return TimeUnit.NANOSECONDS.toMillis(periodNanos);
    }

    /** The deadline, on this sweeper's clock, of a head that starts now and may take {@code timeoutNanos}. */
    long deadline(long timeoutNanos) {
        return System.nanoTime() - origin + timeoutNanos;
    }

    /** A new connection's slot (once per connection); starts sweeping if it was idle. */
    synchronized void register(HeadSlot slot) {
        slots.add(slot);
        if (sweeping == null && !closed) {
            sweeping = timer.scheduleWithFixedDelay(this::sweep, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Whether the periodic sweep is scheduled (it is not while the server has no connection). */
    synchronized boolean sweeping() {
        return sweeping != null;
    }

    /** Live connections' slots known to the sweeper. */
    int slots() {
        return slots.size();
    }

    private void sweep() {
        long now = System.nanoTime() - origin;
        for (Iterator<HeadSlot> it = slots.iterator(); it.hasNext(); ) {
            HeadSlot slot = it.next();
            if (slot.gone()) {
                it.remove();
            } else {
                if (slot.cutIfOverdue(now)) {
                    headsCut.incrementAndGet();
                }
                ReadWatch reads = slot.reads();
                if (reads != null && reads.cutIfOverdue(now)) {
                    readsCut.incrementAndGet();
                }
            }
        }
        if (slots.isEmpty()) {
            stopIfIdle();
        }
    }

    private synchronized void stopIfIdle() {
        if (slots.isEmpty() && sweeping != null) {
            sweeping.cancel(false);
            sweeping = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        timer.shutdownNow();
        slots.clear();
    }
}
