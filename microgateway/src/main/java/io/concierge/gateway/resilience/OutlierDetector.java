package io.concierge.gateway.resilience;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.concierge.gateway.balancing.Upstream;

/**
 * Passive outlier ejection: an instance that fails {@code consecutiveFailures} times in a row (5xx
 * or connect failure) is ejected for a time that doubles with each ejection, up to a cap; never
 * more than {@code maxEjectedPercent} of the service's instances are out at once, so a failure of
 * the whole service cannot eject it entirely and turn a degraded service into a dead one.
 */
final class OutlierDetector {
    private final ResilienceConfig.Outlier config;
    private final LongSupplier clock;
    private final Map<Upstream, State> states = new ConcurrentHashMap<>();
    private long ejections;

    private static final class State {
        int consecutive;
        int timesEjected;
        long ejectedUntil;
    }

    OutlierDetector(ResilienceConfig.Outlier config, LongSupplier nanoClock) {
        this.config = config;
        this.clock = nanoClock;
    }

    boolean isEjected(Upstream u) {
        State s = states.get(u);
        return s != null && s.ejectedUntil > clock.getAsLong();
    }

    synchronized void record(Upstream u, boolean success, int instanceCount) {
        State s = states.computeIfAbsent(u, k -> new State());
        if (success) {
            s.consecutive = 0;
            return;
        }
        if (++s.consecutive < config.consecutiveFailures()) {
            return;
        }
        long now = clock.getAsLong();
        if (s.ejectedUntil > now) {
            return;
        }
        int ejectedNow = 0;
        for (State other : states.values()) {
            if (other.ejectedUntil > now) {
                ejectedNow++;
            }
        }
        if ((ejectedNow + 1) * 100 > config.maxEjectedPercent() * instanceCount) {
            return;
        }
        long nanos = config.baseEjection().toNanos() << Math.min(20, s.timesEjected);
        nanos = Math.min(nanos, config.maxEjection().toNanos());
        s.timesEjected++;
        s.ejectedUntil = now + nanos;
        s.consecutive = 0;
        ejections++;
    }

    synchronized long ejections() {
        return ejections;
    }

    void retain(Set<Upstream> live) {
        states.keySet().retainAll(live);
    }
}
