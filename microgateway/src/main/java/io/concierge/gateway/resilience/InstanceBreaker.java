package io.concierge.gateway.resilience;

import java.util.function.LongSupplier;

/**
 * A circuit breaker for one upstream instance.
 *
 * <p>Why not Helidon Fault Tolerance's {@code CircuitBreaker}: it wraps a call and throws when open,
 * whereas a load balancer needs to ask "may I pick this instance?" and choose another when not; it
 * exposes no time until it half-opens (we answer {@code Retry-After} with it when every instance is
 * open); it has no minimum number of calls separate from its window; and in half-open it lets every
 * concurrent call through, where we let exactly {@code halfOpenProbes} trial requests reach a
 * recovering instance. The service-wide bulkhead does use Helidon's {@code Bulkhead}.
 */
public final class InstanceBreaker {
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final ResilienceConfig.Breaker config;
    private final LongSupplier clock;
    private final boolean[] window;
    private int next;
    private int recorded;
    private int failures;
    private State state = State.CLOSED;
    private long openedAt;
    private int probesInFlight;
    private int probeSuccesses;
    private long opens;

    public InstanceBreaker(ResilienceConfig.Breaker config, LongSupplier nanoClock) {
        this.config = config;
        this.clock = nanoClock;
        this.window = new boolean[config.window()];
    }

    /**
     * Whether a request may be sent to this instance now. In half-open this takes one of the
     * probe slots, which {@link #record} gives back.
     */
    public synchronized boolean tryAcquire() {
        if (!config.enabled() || state == State.CLOSED) {
            return true;
        }
        if (state == State.OPEN) {
            if (clock.getAsLong() - openedAt < config.openFor().toNanos()) {
                return false;
            }
            state = State.HALF_OPEN;
            probesInFlight = 0;
            probeSuccesses = 0;
        }
        if (probesInFlight + probeSuccesses >= config.halfOpenProbes()) {
            return false;
        }
        probesInFlight++;
        return true;
    }

    /** Records the outcome of a request that {@link #tryAcquire} admitted. */
    public synchronized void record(boolean success) {
        if (!config.enabled()) {
            return;
        }
        if (state == State.HALF_OPEN) {
            probesInFlight = Math.max(0, probesInFlight - 1);
            if (!success) {
                open();
            } else if (++probeSuccesses >= config.halfOpenProbes()) {
                close();
            }
            return;
        }
        if (state == State.OPEN) {
            return;
        }
        boolean wasFailure = recorded == window.length && window[next];
        if (wasFailure) {
            failures--;
        }
        window[next] = !success;
        if (!success) {
            failures++;
        }
        next = (next + 1) % window.length;
        recorded = Math.min(recorded + 1, window.length);
        if (recorded >= config.minimumCalls() && failures * 100 >= config.failureRate() * recorded) {
            open();
        }
    }

    /** Gives back a half-open probe slot whose request never reached the instance. */
    public synchronized void release() {
        if (state == State.HALF_OPEN) {
            probesInFlight = Math.max(0, probesInFlight - 1);
        }
    }

    private void open() {
        state = State.OPEN;
        openedAt = clock.getAsLong();
        opens++;
    }

    private void close() {
        state = State.CLOSED;
        recorded = 0;
        failures = 0;
        next = 0;
    }

    public synchronized State state() {
        if (state == State.OPEN && clock.getAsLong() - openedAt >= config.openFor().toNanos()) {
            return State.HALF_OPEN;
        }
        return state;
    }

    /** Nanoseconds until an open breaker admits a probe; 0 when not open. */
    public synchronized long nanosUntilProbe() {
        if (state != State.OPEN) {
            return 0;
        }
        return Math.max(0, config.openFor().toNanos() - (clock.getAsLong() - openedAt));
    }

    /** Nanoseconds since the breaker last opened; 0 when it is closed. */
    public synchronized long nanosSinceOpened() {
        return state == State.CLOSED ? 0 : clock.getAsLong() - openedAt;
    }

    /** How long an open breaker stays open before a half-open probe, in nanoseconds. */
    public long openForNanos() {
        return config.openFor().toNanos();
    }

    public synchronized long opens() {
        return opens;
    }
}
