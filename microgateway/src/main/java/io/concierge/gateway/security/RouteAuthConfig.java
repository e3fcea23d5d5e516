package io.concierge.gateway.security;

import io.concierge.gateway.config.ConfigNode;

/**
 * A route's {@code auth} section. Authentication and authorization arrive with the security
 * issue; until then the section accepts no keys, so nobody can believe a route is protected.
 */
public record RouteAuthConfig() {
    public static final RouteAuthConfig NONE = new RouteAuthConfig();

    public static RouteAuthConfig read(ConfigNode node) {
        node.rejectUnknownKeys();
        return NONE;
    }
}
