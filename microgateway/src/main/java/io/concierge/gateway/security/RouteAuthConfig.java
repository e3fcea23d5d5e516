package io.concierge.gateway.security;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.concierge.gateway.config.ByteSizes;
import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.config.IpRanges;

/**
 * A route's security settings: its {@code auth} section (who may call it) and the route-level
 * {@code ip} lists and {@code max-body-size}. Documented key by key in docs/security.md.
 *
 * @param access      null: {@code authenticated} when the route names credentials, roles, scopes or an
 *                    owner, else the domain's {@code security.default-access}
 * @param credentials accepted credential kinds; empty: every kind the domain configures
 * @param roles       the caller needs at least one of these (default: no role needed)
 * @param scopes      the caller needs all of these (default none)
 * @param owner       a path or query parameter that must equal a claim, or null
 * @param ipAllow     when non-empty only these client addresses may call the route
 * @param ipDeny      these client addresses may not
 * @param maxBodySize request bodies above this many bytes are refused with 413; -1 for no limit
 */
public record RouteAuthConfig(Access access, Set<Credential> credentials, Set<String> roles, Set<String> scopes,
                              OwnerRule owner, IpRanges ipAllow, IpRanges ipDeny, long maxBodySize) {
    public static final RouteAuthConfig NONE = new RouteAuthConfig(null, Set.of(), Set.of(), Set.of(), null,
            IpRanges.NONE, IpRanges.NONE, -1);

    /** A kind of credential. */
    public enum Credential {
        JWT("jwt"), API_KEY("api-key");

        static final String ALLOWED = "jwt, api-key";
        private final String yamlName;

        Credential(String yamlName) {
            this.yamlName = yamlName;
        }

        String yamlName() {
            return yamlName;
        }

        static Credential parse(String text) {
            for (Credential c : values()) {
                if (c.yamlName.equals(text)) {
                    return c;
                }
            }
            return null;
        }
    }

    /**
     * "Own resource or override role": the value of a path parameter (or every value of a query
     * parameter, which must be present) must equal the caller's claim, unless the caller has one
     * of {@code unlessRoles}.
     *
     * @param fromPath true for {@code path-param}, false for {@code query-param}
     * @param name     the parameter
     * @param claim    the JWT claim compared with it (default {@code sub}); API-key consumers compare their name
     * @param unlessRoles roles that may access anyone's resource (default none)
     */
    public record OwnerRule(boolean fromPath, String name, String claim, Set<String> unlessRoles) {
    }

    /** @param route the whole route node: {@code auth}, {@code ip} and {@code max-body-size} are read from it */
    public static RouteAuthConfig read(ConfigNode route) {
        long maxBody = ByteSizes.read(route, "max-body-size", 0, Long.MAX_VALUE / 2);
        ConfigNode ip = route.object("ip");
        IpRanges allow = IpRanges.read(ip, "allow");
        IpRanges deny = IpRanges.read(ip, "deny");
        ip.rejectUnknownKeys();
        if (!route.has("auth")) {
            return maxBody < 0 && allow.isEmpty() && deny.isEmpty() ? NONE
                    : new RouteAuthConfig(null, Set.of(), Set.of(), Set.of(), null, allow, deny, maxBody);
        }
        ConfigNode node = route.object("auth");
        Access access = node.choice("access", null, Access::parse, Access.ALLOWED);
        Set<Credential> credentials = EnumSet.noneOf(Credential.class);
        List<String> kinds = node.stringList("credentials");
        for (int i = 0; i < kinds.size(); i++) {
            Credential c = Credential.parse(kinds.get(i));
            if (c == null) {
                throw node.error("credentials[" + i + "]", "unknown credential '" + kinds.get(i) + "' (allowed: "
                        + Credential.ALLOWED + ")");
            }
            credentials.add(c);
        }
        Set<String> roles = Names.read(node, "roles");
        Set<String> scopes = Names.read(node, "scopes");
        OwnerRule owner = node.has("owner") ? readOwner(node.object("owner"), route) : null;
        if (access == Access.PUBLIC && (!roles.isEmpty() || !scopes.isEmpty() || owner != null || !credentials.isEmpty())) {
            throw node.error("access", "a public route cannot require credentials, roles, scopes or an owner");
        }
        node.rejectUnknownKeys();
        return new RouteAuthConfig(access, Set.copyOf(credentials), Set.copyOf(roles), Set.copyOf(scopes), owner,
                allow, deny, maxBody);
    }

    private static OwnerRule readOwner(ConfigNode node, ConfigNode route) {
        String pathParam = node.string("path-param", null);
        String queryParam = node.string("query-param", null);
        if ((pathParam == null) == (queryParam == null)) {
            throw node.error("exactly one of 'path-param' and 'query-param' is required");
        }
        if (pathParam != null) {
            String path = route.object("match").string("path", "");
            if (!path.contains("{" + pathParam + "}")) {
                throw node.error("path-param", "the route's path '" + path + "' has no {" + pathParam + "} segment");
            }
        } else if (queryParam.isBlank()) {
            throw node.error("query-param", "must not be empty");
        }
        String claim = node.string("claim", "sub");
        if (claim.isBlank()) {
            throw node.error("claim", "must not be empty");
        }
        Set<String> unless = Names.read(node, "unless-roles");
        node.rejectUnknownKeys();
        return new OwnerRule(pathParam != null, pathParam != null ? pathParam : queryParam, claim, Set.copyOf(unless));
    }

    /** The access that applies, given the domain default. */
    public Access effectiveAccess(SecurityConfig domain) {
        if (access != null) {
            return access;
        }
        if (!roles.isEmpty() || !scopes.isEmpty() || owner != null || !credentials.isEmpty()) {
            return Access.AUTHENTICATED;
        }
        return domain.defaultAccess();
    }
}
