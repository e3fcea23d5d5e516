package io.concierge.gateway.pool;

import io.concierge.gateway.deadline.DeadlineSweeper;

/**
 * A coarse clock for upstream read timeouts: a {@link DeadlineSweeper} that looks at each live
 * connection's {@link UpstreamReadWatch} every period and closes the connections whose read in
 * progress is overdue, so that reads themselves are untimed (see {@link UpstreamReadWatch} for why).
 * Its thread runs only while there are connections.
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
    private static final UpstreamReadSweeper SHARED = new UpstreamReadSweeper("concierge-upstream-read-deadline");

    private final DeadlineSweeper<UpstreamReadWatch> sweeper;

    /** @param threadName the name of its (daemon) thread */
    public UpstreamReadSweeper(String threadName) {
        this.sweeper = new DeadlineSweeper<>(threadName, MIN_PERIOD_MILLIS, MAX_PERIOD_MILLIS,
                (watch, now) -> watch.cutIfOverdue(now) || watch.gone());
    }

    /** The process's sweeper, used by every pool outside tests. */
    public static UpstreamReadSweeper shared() {
        return SHARED;
    }

    /**
     * A connection will time its reads out after {@code timeoutNanos}: sweep often enough for it.
     * Called per exchange; the usual case (no shorter period needed) is one volatile read.
     */
    void useTimeout(long timeoutNanos) {
        sweeper.useTimeout(timeoutNanos);
    }

    /** The period in milliseconds (the precision of a read timeout). */
    long periodMillis() {
        return sweeper.periodMillis();
    }

    /** The deadline, on this sweeper's clock, of a read that starts now and may take {@code timeoutNanos}. */
    long deadline(long timeoutNanos) {
        return sweeper.deadline(timeoutNanos);
    }

    /** A new connection (once per connection); starts sweeping if there was none. */
    void register(UpstreamReadWatch watch) {
        sweeper.register(watch);
    }

    /** A closed connection. A missed one is dropped by the next sweep (its channel is closed). */
    void drop(UpstreamReadWatch watch) {
        sweeper.drop(watch);
    }

    /** Whether the sweeping thread runs (it does not while there is no connection). */
    boolean sweeping() {
        return sweeper.sweeping();
    }

    /** Live connections known to the sweeper. */
    int connections() {
        return sweeper.size();
    }
}
