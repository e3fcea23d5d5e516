package io.concierge.gateway.proxy;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

import io.concierge.gateway.balancing.Upstream;

/**
 * What one request has learnt about its group's instances across its tries: which to skip for now
 * (tried, refused, unhealthy, breaker open), the last refusal and the shortest wait for an open
 * breaker. Lives as long as the request; only the balancer layer changes it.
 */
public final class TriedInstances {
    /** Created with the first instance excluded: a request answered by its first try needs none. */
    private Set<Upstream> excluded;
    private Set<Upstream> unhealthy;
    private boolean panic;
    private IOException lastConnectFailure;
    private long breakerWait = Long.MAX_VALUE;
    private int tries;

    /** The instances the balancer must not choose now. */
    public Set<Upstream> excluded() {
        return excluded == null ? Set.of() : excluded;
    }

    private Set<Upstream> excludedSet() {
        if (excluded == null) {
            excluded = new HashSet<>(4);
        }
        return excluded;
    }

    /** Skipped: failed its health checks or ejected (it may still be tried in panic mode). */
    public void unhealthy(Upstream u) {
        excludedSet().add(u);
        if (unhealthy == null) {
            unhealthy = new HashSet<>(4);
        }
        unhealthy.add(u);
    }

    /** Skipped: its breaker is open for this many more nanoseconds. */
    public void breakerOpen(Upstream u, long nanosUntilProbe) {
        excludedSet().add(u);
        breakerWait = Math.min(breakerWait, nanosUntilProbe);
    }

    /** Refused the connection: nothing was sent, so the request may go to any other instance. */
    public void refused(Upstream u, IOException error) {
        excludedSet().add(u);
        lastConnectFailure = error;
    }

    /** Tried and the request goes on (a retry): the next try prefers another instance, else any. */
    public void tried(Upstream u, int instanceCount) {
        tries++;
        if (excluded == null && instanceCount <= 1) {
            // Added and cleared at once below: the one instance stays choosable.
            return;
        }
        excludedSet().add(u);
        if (excluded.size() >= instanceCount) {
            // A single instance (or all tried): the retry goes to one already tried.
            excluded.clear();
        }
    }

    /**
     * Every instance failed its health checks: better to try them than to refuse all traffic on the
     * word of the checks alone. Allowed once, and only before any try or refusal.
     *
     * @return whether the unhealthy instances are choosable again
     */
    public boolean enterPanic(int instanceCount) {
        if (!panic && unhealthy != null && excluded().size() == instanceCount && tries == 0
                && lastConnectFailure == null) {
            panic = true;
            excluded.removeAll(unhealthy);
            return true;
        }
        return false;
    }

    public boolean panic() {
        return panic;
    }

    public IOException lastConnectFailure() {
        return lastConnectFailure;
    }

    /** Shortest wait until an open breaker admits a probe, or {@link Long#MAX_VALUE} when none was open. */
    public long breakerWait() {
        return breakerWait;
    }
}
