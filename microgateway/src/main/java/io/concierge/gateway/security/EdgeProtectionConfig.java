package io.concierge.gateway.security;

import io.concierge.gateway.config.ConfigNode;

/**
 * The edge's {@code protection} section (CORS, IP lists, security headers, TLS). Arrives with the
 * security issue; until then the section accepts no keys.
 */
public record EdgeProtectionConfig() {
    public static final EdgeProtectionConfig NONE = new EdgeProtectionConfig();

    public static EdgeProtectionConfig read(ConfigNode node) {
        node.rejectUnknownKeys();
        return NONE;
    }
}
