package io.concierge.gateway.resilience;

import java.util.function.LongSupplier;

/**
 * Keeps retries to a fraction of the traffic, so a failing upstream never sees a retry storm: every
 * request deposits {@code ratio} of a token, every retry withdraws one, and a small reserve refills
 * at {@code minPerSecond} so a quiet service can still retry. The balance is capped at what ten
 * seconds of traffic would earn, so a long healthy period cannot bank a storm for later.
 *
 * <p>Under total failure with a request rate of R, retries are bounded by {@code ratio * R + minPerSecond}
 * per second: the upstream sees at most {@code (1 + ratio) * R + minPerSecond}.
 */
public final class RetryBudget {
    private static final long MILLI = 1000;
    private final long depositMilli;
    private final long minPerSecond;
    private final LongSupplier clock;
    private long balanceMilli;
    private long reserveMilli;
    private long lastRefill;
    private long recentRequests;
    private long windowStart;
    private long exhausted;

    public RetryBudget(double ratio, int minPerSecond, LongSupplier nanoClock) {
        this.depositMilli = Math.round(ratio * MILLI);
        this.minPerSecond = minPerSecond;
        this.clock = nanoClock;
        this.lastRefill = nanoClock.getAsLong();
        this.windowStart = lastRefill;
        this.reserveMilli = minPerSecond * MILLI;
    }

    public synchronized void onRequest() {
        long now = clock.getAsLong();
        if (now - windowStart > 10_000_000_000L) {
            windowStart = now;
            recentRequests = 0;
        }
        recentRequests++;
        long cap = Math.max(MILLI, depositMilli * Math.max(recentRequests, 10));
        balanceMilli = Math.min(cap, balanceMilli + depositMilli);
    }

    /** @return true and withdraws a token if a retry is allowed now */
    public synchronized boolean tryRetry() {
        refillReserve();
        if (balanceMilli >= MILLI) {
            balanceMilli -= MILLI;
            return true;
        }
        if (reserveMilli >= MILLI) {
            reserveMilli -= MILLI;
            return true;
        }
        exhausted++;
        return false;
    }

    private void refillReserve() {
        long now = clock.getAsLong();
        long elapsed = now - lastRefill;
        if (elapsed <= 0) {
            return;
        }
        long add = elapsed * minPerSecond * MILLI / 1_000_000_000L;
        if (add > 0) {
            reserveMilli = Math.min(minPerSecond * MILLI, reserveMilli + add);
            lastRefill = now;
        }
    }

    public synchronized long exhausted() {
        return exhausted;
    }
}
