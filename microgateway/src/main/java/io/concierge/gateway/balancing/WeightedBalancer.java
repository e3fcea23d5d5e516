package io.concierge.gateway.balancing;

import java.util.List;
import java.util.Set;

/**
 * Smooth weighted round-robin (the scheme nginx uses): over any window of sum-of-weights picks each
 * instance is chosen exactly in proportion to its weight, and picks of a heavy instance are spread
 * out rather than sent in a burst.
 */
final class WeightedBalancer implements LoadBalancer {
    @Override
    public synchronized Upstream choose(List<Upstream> candidates, Set<Upstream> excluded) {
        Upstream best = null;
        int total = 0;
        for (Upstream u : candidates) {
            if (excluded.contains(u)) {
                continue;
            }
            u.currentWeight += u.weight();
            total += u.weight();
            if (best == null || u.currentWeight > best.currentWeight) {
                best = u;
            }
        }
        if (best != null) {
            best.currentWeight -= total;
        }
        return best;
    }
}
