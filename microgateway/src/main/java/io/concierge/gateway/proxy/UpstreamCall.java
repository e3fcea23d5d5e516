package io.concierge.gateway.proxy;

/**
 * A layer of the upstream stack: takes the request, returns how it ended. Each resilience layer is
 * one {@code UpstreamCall} around the next (see {@code resilience.UpstreamStack}).
 */
@FunctionalInterface
public interface UpstreamCall {
    ExchangeOutcome call(UpstreamRequest request);
}
