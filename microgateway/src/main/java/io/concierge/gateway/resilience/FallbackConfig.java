package io.concierge.gateway.resilience;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.concierge.gateway.config.ConfigNode;

/**
 * A route's static fallback: what the client gets instead of a 502/503/504 when the service cannot
 * answer. The response carries {@code Concierge-Fallback: static} so clients and logs can tell.
 *
 * @param status      default 200
 * @param contentType default {@code application/json}
 * @param body        default empty
 * @param headers     extra response headers
 */
public record FallbackConfig(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static FallbackConfig read(ConfigNode node) {
        FallbackConfig f = new FallbackConfig(node.integer("status", 200, 200, 599),
                node.string("content-type", "application/json"),
                node.string("body", "").getBytes(StandardCharsets.UTF_8),
                Map.copyOf(node.stringMap("headers")));
        node.rejectUnknownKeys();
        return f;
    }
}
