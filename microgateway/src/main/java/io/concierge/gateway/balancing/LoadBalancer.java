package io.concierge.gateway.balancing;

import java.util.List;
import java.util.Set;

import io.concierge.gateway.config.LoadBalancing;

/** Picks the instance for one attempt of one request. */
public interface LoadBalancer {
    /**
     * @param candidates every instance of the service, in a stable order
     * @param excluded   instances already tried for this request (refused the connection)
     * @return the chosen instance, or null when every candidate is excluded
     */
    Upstream choose(List<Upstream> candidates, Set<Upstream> excluded);

    static LoadBalancer of(LoadBalancing kind) {
        return switch (kind) {
            case ROUND_ROBIN -> new RoundRobinBalancer();
            case LEAST_IN_FLIGHT -> new LeastInFlightBalancer();
            case WEIGHTED -> new WeightedBalancer();
        };
    }
}
