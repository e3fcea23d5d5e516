package io.concierge.gateway.proxy;

import io.concierge.gateway.balancing.Upstream;

/**
 * One try of a request against one chosen instance: the innermost layer of the upstream stack.
 * {@link UpstreamExchange} does it over a socket; tests of the layers above script the outcomes.
 */
@FunctionalInterface
public interface InstanceExchange {
    /**
     * Never throws for an upstream's failure (that is an outcome); throws only when the client's own
     * body failed, after answering the client.
     */
    ExchangeOutcome exchange(UpstreamRequest request, Upstream instance);
}
