package io.concierge.gateway.security;

import java.util.List;

import io.concierge.gateway.config.ConfigNode;

/**
 * Names of the headers that carry the verified identity to the upstream. Client-sent copies of
 * every one of them are stripped on every route of the domain, public ones included, so an
 * upstream can trust them as long as the gateway is its only way in.
 *
 * @param subject  the token's {@code sub} (default {@code X-Auth-Subject})
 * @param roles    comma separated roles (default {@code X-Auth-Roles})
 * @param scopes   comma separated scopes (default {@code X-Auth-Scopes})
 * @param consumer the API-key consumer's name (default {@code X-Auth-Consumer})
 * @param issuer   the configured issuer's name, or {@code api-key} (default {@code X-Auth-Issuer})
 */
public record IdentityHeaders(String subject, String roles, String scopes, String consumer, String issuer) {
    public static final IdentityHeaders DEFAULT = new IdentityHeaders("X-Auth-Subject", "X-Auth-Roles",
            "X-Auth-Scopes", "X-Auth-Consumer", "X-Auth-Issuer");

    static IdentityHeaders read(ConfigNode node) {
        IdentityHeaders h = new IdentityHeaders(name(node, "subject", DEFAULT.subject()),
                name(node, "roles", DEFAULT.roles()), name(node, "scopes", DEFAULT.scopes()),
                name(node, "consumer", DEFAULT.consumer()), name(node, "issuer", DEFAULT.issuer()));
        if (h.all().stream().map(String::toLowerCase).distinct().count() != 5) {
            throw node.error("the five identity headers must have different names");
        }
        node.rejectUnknownKeys();
        return h;
    }

    private static String name(ConfigNode node, String key, String def) {
        String v = node.string(key, def);
        if (!v.matches("[A-Za-z0-9-]{1,64}")) {
            throw node.error(key, "not a header name: '" + v + "'");
        }
        return v;
    }

    List<String> all() {
        return List.of(subject, roles, scopes, consumer, issuer);
    }
}
