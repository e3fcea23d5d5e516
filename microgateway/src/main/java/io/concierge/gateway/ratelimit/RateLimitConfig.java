package io.concierge.gateway.ratelimit;

import java.util.List;

import io.concierge.gateway.config.ConfigNode;

/**
 * One configured rate limit. Limits arrive with the rate-limiting issue; until then a
 * {@code rate-limits} list must be empty, so nobody can believe a limit is enforced.
 */
public record RateLimitConfig() {
    public static List<RateLimitConfig> readAll(ConfigNode parent, String key) {
        if (!parent.objectList(key).isEmpty()) {
            throw parent.error(key, "rate limits are not supported yet");
        }
        return List.of();
    }
}
