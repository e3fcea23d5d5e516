package io.concierge.gateway.security;

import io.concierge.gateway.config.ConfigNode;

/**
 * A gateway's domain-wide {@code security} section (issuers, consumers). Arrives with the
 * security issue; until then the section accepts no keys.
 */
public record SecurityConfig() {
    public static final SecurityConfig NONE = new SecurityConfig();

    public static SecurityConfig read(ConfigNode node) {
        node.rejectUnknownKeys();
        return NONE;
    }
}
