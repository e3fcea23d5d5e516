package io.concierge.gateway.resilience;

import java.time.Duration;

import io.concierge.gateway.config.ConfigNode;

/**
 * A route's {@code resilience} section: a tighter deadline than the service's, and a fallback.
 *
 * @param deadline overrides the service's deadline, or null
 * @param fallback static response on failure, or null
 */
public record RouteResilience(Duration deadline, FallbackConfig fallback) {
    public static final RouteResilience NONE = new RouteResilience(null, null);

    public static RouteResilience read(ConfigNode node) {
        Duration deadline = node.duration("deadline", null);
        FallbackConfig fallback = node.has("fallback") ? FallbackConfig.read(node.object("fallback")) : null;
        node.rejectUnknownKeys();
        return new RouteResilience(deadline, fallback);
    }
}
