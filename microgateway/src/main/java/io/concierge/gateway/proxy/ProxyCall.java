package io.concierge.gateway.proxy;

import java.time.Duration;

import io.concierge.gateway.resilience.FallbackConfig;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.balancing.UpstreamGroup;

/**
 * Everything one forwarded request needs besides the request itself.
 *
 * @param group          where it goes
 * @param target         the request target to send, path and query, byte for byte
 * @param connectTimeout per connection attempt
 * @param readTimeout    per try: waiting for the response head and between body bytes
 * @param requestId      for the upstream and for error bodies
 * @param changes        header changes from the pipeline, or null
 * @param resilience     the service's resilience state (failure scope, fallback count), or null for none;
 *                       which layers run is the {@link UpstreamStack}'s business
 * @param fallback       static answer instead of a gateway error, or null
 */
public record ProxyCall(UpstreamGroup group, String target, Duration connectTimeout, Duration readTimeout,
                        String requestId, UpstreamHeaders changes, ServiceResilience resilience,
                        FallbackConfig fallback) {
}
