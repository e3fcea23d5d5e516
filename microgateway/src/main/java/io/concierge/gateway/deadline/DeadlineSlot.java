package io.concierge.gateway.deadline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A deadline one thread arms and disarms and a sweeping thread may cut: the shape shared by the
 * request-head deadline, the client read watch and the upstream read watch, which replace timer
 * tasks and socket timeouts on the request path (issue 19: on virtual threads both cost a
 * delay-scheduler task and a thread wake-up each). Arming is a volatile write, disarming one
 * compare-and-set; the compare-and-set settles the race with the sweeper, so a wait that ended in
 * time is never cut, and one that was cut is reported as such exactly once.
 *
 * <p>States: {@link #IDLE}, a deadline {@code > 0} (on the sweeper's clock), {@link #CUTTING} (the
 * sweeper won the race and is running {@link #cut}), {@link #CUT}.
 */
public abstract class DeadlineSlot {
    public static final long IDLE = 0;
    public static final long CUTTING = -1;
    public static final long CUT = -2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(DeadlineSlot.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile long state = IDLE;

    /** The owning thread: the wait starting now must end by {@code deadline} ({@code > 0}). */
    protected final void arm(long deadline) {
        state = deadline;
    }

    /** The current state (for an owner that must not re-arm after a cut). */
    protected final long state() {
        return state;
    }

    /**
     * The owning thread: the wait ended. True when it was in time (or nothing was armed); false when
     * the sweeper cut it, and then only once {@link #cut} has run.
     */
    protected final boolean disarm() {
        long s = state;
        if (s == IDLE || s > 0 && STATE.compareAndSet(this, s, IDLE)) {
            return true;
        }
        while (state == CUTTING) {
            Thread.onSpinWait(); // the sweeper is between its compare-and-set and the end of cut()
        }
        return false;
    }

    /** The owning thread, after a cut it has dealt with: ready to be armed again. */
    protected final void reset() {
        state = IDLE;
    }

    /**
     * The sweeper: cuts the wait in progress if its deadline has passed at {@code now} (strictly: never
     * at or before the deadline); true when it did.
     */
    public final boolean cutIfOverdue(long now) {
        long s = state;
        if (s <= 0 || now - s <= 0 || !STATE.compareAndSet(this, s, CUTTING)) {
            return false;
        }
        try {
            cut();
        } finally {
            state = CUT;
        }
        return true;
    }

    /** The sweeper, having won the race: ends the wait (interrupt the thread, close or shut the socket). */
    protected abstract void cut();
}
