package io.concierge.gateway.balancing;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Each instance in turn; excluded instances are skipped without disturbing the rotation. */
final class RoundRobinBalancer implements LoadBalancer {
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Upstream choose(List<Upstream> candidates, Set<Upstream> excluded) {
        int n = candidates.size();
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Upstream u = candidates.get((start + i) % n);
            if (!excluded.contains(u)) {
                return u;
            }
        }
        return null;
    }
}
