package io.concierge.gateway.pool;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A coarse clock for upstream read timeouts: every period it looks at each live connection's
 * {@link UpstreamReadWatch} and closes the connections whose read in progress is overdue, so that reads
 * themselves are untimed (see {@link UpstreamReadWatch} for why). Its thread runs only while there are
 * connections: the first one registered starts it, the sweep that finds none left stops it.
 *
 * <p>Precision: the period is a tenth of the shortest read timeout seen, between
 * {@value #MIN_PERIOD_MILLIS} and {@value #MAX_PERIOD_MILLIS} ms, and a read is cut at the first
 * sweep after its deadline: between its timeout and its timeout plus one period, never before (the
 * retry layer relies on a try not ending before its deadline). The period only shrinks.
 *
 * <p>One sweeper serves the whole process ({@link #shared()}), as a timer would: it is a clock, not
 * state of a pool, and one thread waking every period for all connections is cheaper than one per
 * pool (a gateway has a pool per upstream instance). Tests make their own instances.
 */
public final class UpstreamReadSweeper {
    static final long MIN_PERIOD_MILLIS = 5;
    static final long MAX_PERIOD_MILLIS = 100;
    private static final long MIN_PERIOD = TimeUnit.MILLISECONDS.toNanos(MIN_PERIOD_MILLIS);
    private static final long MAX_PERIOD = TimeUnit.MILLISECONDS.toNanos(MAX_PERIOD_MILLIS);
    private static final Logger LOG = Logger.getLogger(UpstreamReadSweeper.class.getName());
    private static final UpstreamReadSweeper SHARED = new UpstreamReadSweeper("concierge-upstream-read-deadline");

    private final String threadName;
    /** Zero point of the deadlines, so that every deadline is {@code > 0} (0 and below are states). */
    private final long origin = System.nanoTime() - 1;
    private final Set<UpstreamReadWatch> watches = ConcurrentHashMap.newKeySet();
    /** Read on every exchange (to see whether a new timeout needs a shorter period); written under this. */
    private volatile long periodNanos = MAX_PERIOD;
    private Thread thread; // guarded by this; null while there is no connection

    /** @param threadName the name of its (daemon) thread */
    public UpstreamReadSweeper(String threadName) {
        this.threadName = threadName;
    }

    /** The process's sweeper, used by every pool outside tests. */
    public static UpstreamReadSweeper shared() {
        return SHARED;
    }

    /**
     * A connection will time its reads out after {@code timeoutNanos}: sweep often enough for it.
     * Called per exchange, so the usual case (no shorter period needed) is one volatile read.
     */
    void useTimeout(long timeoutNanos) {
        long period = periodNanos;
        if (period > MIN_PERIOD && timeoutNanos < period * 10) {
            shorten(timeoutNanos);
        }
    }

    private synchronized void shorten(long timeoutNanos) {
        long wanted = Math.clamp(timeoutNanos / 10, MIN_PERIOD, MAX_PERIOD);
        if (wanted < periodNanos) {
            periodNanos = wanted;
            if (thread != null) {
                LockSupport.unpark(thread); // its current wait may be longer than the new period
            }
        }
    }

    /** The period in milliseconds (the precision of a read timeout). */
    long periodMillis() {
        return TimeUnit.NANOSECONDS.toMillis(periodNanos);
    }

    /** The deadline, on this sweeper's clock, of a read that starts now and may take {@code timeoutNanos}. */
    long deadline(long timeoutNanos) {
        return System.nanoTime() - origin + timeoutNanos;
    }

    /** A new connection (once per connection); starts sweeping if there was none. */
    void register(UpstreamReadWatch watch) {
        watches.add(watch);
        synchronized (this) {
            if (thread == null) {
                thread = Thread.ofPlatform().name(threadName).daemon().start(this::run);
            }
        }
    }

    /** A closed connection. A missed one is dropped by the next sweep (its channel is closed). */
    void drop(UpstreamReadWatch watch) {
        watches.remove(watch);
    }

    /** Whether the sweeping thread runs (it does not while there is no connection). */
    synchronized boolean sweeping() {
        return thread != null;
    }

    /** Live connections known to the sweeper. */
    int connections() {
        return watches.size();
    }

    private void run() {
        try {
            do {
                LockSupport.parkNanos(this, periodNanos);
                sweep();
            } while (!stopIfIdle());
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, threadName + " failed; the next connection restarts it", e);
            synchronized (this) {
                thread = null;
            }
            throw e;
        }
    }

    private void sweep() {
        long now = System.nanoTime() - origin;
        for (Iterator<UpstreamReadWatch> it = watches.iterator(); it.hasNext(); ) {
            UpstreamReadWatch watch = it.next();
            if (watch.cutIfOverdue(now) || watch.gone()) {
                it.remove();
            }
        }
    }

    /**
     * Stops when no connection is left. Under the lock, as {@link #register} starts a thread: a
     * connection added before this check keeps this thread running, one added after it starts a new one.
     */
    private synchronized boolean stopIfIdle() {
        if (watches.isEmpty()) {
            thread = null;
            return true;
        }
        return false;
    }
}
