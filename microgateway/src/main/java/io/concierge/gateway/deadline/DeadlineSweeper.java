package io.concierge.gateway.deadline;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A coarse clock for {@link DeadlineSlot}s: one daemon thread that, every period, visits each
 * registered element (a connection's slot or watch) with the current time, so the waits themselves
 * need no timer task and no socket timeout (issue 19). The thread runs only while elements are
 * registered: the first registration starts it, the sweep that finds none left stops it.
 *
 * <p>Precision: the period is a tenth of the shortest timeout announced through {@link #useTimeout},
 * clamped to the bounds given at construction, and only ever shrinks; a wait is cut at the first
 * sweep after its deadline, between its timeout and its timeout plus one period, never before.
 *
 * @param <E> what is swept
 */
public final class DeadlineSweeper<E> implements AutoCloseable {
    /** Looks at one element at {@code now} (on {@link #deadline}'s clock); true drops it from the sweep. */
    @FunctionalInterface
    public interface Visit<E> {
        boolean visit(E element, long now);
    }

    private static final Logger LOG = Logger.getLogger(DeadlineSweeper.class.getName());

    private final String threadName;
    private final long minPeriod;
    private final long maxPeriod;
    private final Visit<E> visit;
    /** Zero point of the deadlines, so that every deadline is {@code > 0} (0 and below are states). */
    private final long origin = System.nanoTime() - 1;
    private final Set<E> elements = ConcurrentHashMap.newKeySet();
    /** Read whenever a timeout is announced (to see whether it needs a shorter period); written under this. */
    private volatile long periodNanos;
    private Thread thread; // guarded by this; null while nothing is registered
    private boolean closed; // guarded by this

    /**
     * @param threadName the name of its (daemon) thread
     * @param minPeriodMillis the shortest period, however short a timeout
     * @param maxPeriodMillis the longest period (the period before any timeout is announced)
     * @param visit what a sweep does with each element
     */
    public DeadlineSweeper(String threadName, long minPeriodMillis, long maxPeriodMillis, Visit<E> visit) {
        this.threadName = threadName;
        this.minPeriod = TimeUnit.MILLISECONDS.toNanos(minPeriodMillis);
        this.maxPeriod = TimeUnit.MILLISECONDS.toNanos(maxPeriodMillis);
        this.periodNanos = maxPeriod;
        this.visit = visit;
    }

    /**
     * Waits will be cut after {@code timeoutNanos}: sweep often enough for it. Cheap enough for the
     * request path: the usual case (no shorter period needed) is one volatile read.
     */
    public void useTimeout(long timeoutNanos) {
        long period = periodNanos;
        if (period > minPeriod && timeoutNanos < period * 10) {
            shorten(timeoutNanos);
        }
    }

    private synchronized void shorten(long timeoutNanos) {
        long wanted = Math.clamp(timeoutNanos / 10, minPeriod, maxPeriod);
        if (wanted < periodNanos) {
            periodNanos = wanted;
            if (thread != null) {
                LockSupport.unpark(thread); // its current wait may be longer than the new period
            }
        }
    }

    /** The period in milliseconds (the precision of a deadline). */
    public long periodMillis() {
        return TimeUnit.NANOSECONDS.toMillis(periodNanos);
    }

    /** The deadline, on this sweeper's clock, of a wait that starts now and may take {@code timeoutNanos}. */
    public long deadline(long timeoutNanos) {
        return System.nanoTime() - origin + timeoutNanos;
    }

    /** A new element (once per connection); starts sweeping if nothing was registered. */
    public void register(E element) {
        elements.add(element);
        synchronized (this) {
            if (thread == null && !closed) {
                thread = Thread.ofPlatform().name(threadName).daemon().start(this::run);
            }
        }
    }

    /** An element that ended; one missed here is dropped by a later visit. */
    public void drop(E element) {
        elements.remove(element);
    }

    /** Whether the sweeping thread runs (it does not while nothing is registered). */
    public synchronized boolean sweeping() {
        return thread != null;
    }

    /** Elements registered. */
    public int size() {
        return elements.size();
    }

    /** Stops sweeping for good; pending deadlines no longer fire. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        elements.clear();
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void run() {
        try {
            do {
                LockSupport.parkNanos(this, periodNanos);
                sweep();
            } while (!stopIfIdle());
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, threadName + " failed; the next registration restarts it", e);
            synchronized (this) {
                thread = null;
            }
            throw e;
        }
    }

    private void sweep() {
        long now = System.nanoTime() - origin;
        for (Iterator<E> it = elements.iterator(); it.hasNext(); ) {
            if (visit.visit(it.next(), now)) {
                it.remove();
            }
        }
    }

    /**
     * Stops when nothing is left (or once closed). Under the lock, as {@link #register} starts a
     * thread: an element added before this check keeps this thread running, one added after it
     * starts a new one.
     */
    private synchronized boolean stopIfIdle() {
        if (closed || elements.isEmpty()) {
            thread = null;
            return true;
        }
        return false;
    }
}
