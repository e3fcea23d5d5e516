package io.concierge.gateway.balancing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices: two distinct random instances, the one with fewer requests in flight wins.
 * Nearly as good as a global least-loaded scan, without contention on shared state, and it never
 * herds every request onto the one instance that just became idle.
 */
final class LeastInFlightBalancer implements LoadBalancer {
    @Override
    public Upstream choose(List<Upstream> candidates, Set<Upstream> excluded) {
        List<Upstream> open = excluded.isEmpty() ? candidates : without(candidates, excluded);
        int n = open.size();
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return open.get(0);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++;
        }
        Upstream ua = open.get(a);
        Upstream ub = open.get(b);
        return ub.inFlight() < ua.inFlight() ? ub : ua;
    }

    private static List<Upstream> without(List<Upstream> candidates, Set<Upstream> excluded) {
        List<Upstream> open = new ArrayList<>(candidates.size());
        for (Upstream u : candidates) {
            if (!excluded.contains(u)) {
                open.add(u);
            }
        }
        return open;
    }
}
