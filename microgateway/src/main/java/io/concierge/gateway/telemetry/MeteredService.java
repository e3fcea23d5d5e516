package io.concierge.gateway.telemetry;

import java.util.List;

import io.concierge.gateway.balancing.Upstream;
import io.concierge.gateway.resilience.InstanceBreaker;

/**
 * A service whose instances {@link FeatureMetrics#upstreams} exports beside the HTTP services' groups
 * (the gRPC services): an interface here so telemetry need not know the protocol packages.
 */
public interface MeteredService {
    String service();

    /** The instances as the balancer sees them (address, calls in flight), in configuration order. */
    List<Upstream> upstreams();

    /** The breaker of one of {@link #upstreams()}. */
    InstanceBreaker breaker(Upstream upstream);

    /** Tries after the first. */
    long retries();
}
