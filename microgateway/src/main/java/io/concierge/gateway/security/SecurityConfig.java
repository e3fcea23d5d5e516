package io.concierge.gateway.security;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.config.IpRanges;

/**
 * A gateway's domain-wide {@code security} section: the token issuers and API-key consumers it
 * trusts, which proxies' {@code X-Forwarded-For} it believes, the identity headers it sets, and the
 * access of routes that do not say. Documented key by key in docs/security.md.
 *
 * @param defaultAccess   access of a route without {@code auth.access} (default {@code public})
 * @param trustedProxies  peers whose {@code X-Forwarded-For} is believed (default none: the socket peer is the client)
 * @param identityHeaders names of the identity headers
 * @param issuers         JWT issuers by name (default none)
 * @param apiKeys         API-key consumers (default none)
 */
public record SecurityConfig(Access defaultAccess, IpRanges trustedProxies, IdentityHeaders identityHeaders,
                             Map<String, IssuerConfig> issuers, ApiKeyConfig apiKeys) {
    public static final SecurityConfig NONE = new SecurityConfig(Access.PUBLIC, IpRanges.NONE, IdentityHeaders.DEFAULT,
            Map.of(), ApiKeyConfig.NONE);

    public static SecurityConfig read(ConfigNode node) {
        Access access = node.choice("default-access", Access.PUBLIC, Access::parse, Access.ALLOWED);
        IpRanges proxies = IpRanges.read(node, "trusted-proxies");
        IdentityHeaders headers = IdentityHeaders.read(node.object("identity-headers"));
        ConfigNode jwt = node.object("jwt");
        Map<String, IssuerConfig> issuers = new LinkedHashMap<>();
        Map<String, String> byIss = new LinkedHashMap<>();
        jwt.namedObjects("issuers").forEach((name, n) -> {
            IssuerConfig i = IssuerConfig.read(name, n);
            String other = byIss.putIfAbsent(i.issuer(), name);
            if (other != null) {
                throw n.error("issuer", "'" + i.issuer() + "' is already the issuer of '" + other + "'");
            }
            issuers.put(name, i);
        });
        jwt.rejectUnknownKeys();
        ApiKeyConfig apiKeys = node.has("api-keys") ? ApiKeyConfig.read(node.object("api-keys")) : ApiKeyConfig.NONE;
        node.rejectUnknownKeys();
        return new SecurityConfig(access, proxies, headers, Collections.unmodifiableMap(issuers), apiKeys);
    }

    /**
     * Checks what only the domain and an endpoint together can tell: an endpoint (a route, or a
     * composition) that needs a credential the domain cannot verify would refuse everyone (or, worse,
     * be assumed protected). The top-level config calls it for each endpoint.
     *
     * @param at   YAML path of the auth block, e.g. {@code compositions[0].auth}
     * @param kind what the endpoint is called in the message ("route", "endpoint")
     */
    public void checkRoute(String file, String at, String kind, RouteAuthConfig a) {
        Access effective = a.effectiveAccess(this);
        if (effective == Access.PUBLIC) {
            return;
        }
        if (!hasCredentials()) {
            throw new ConfigException(file, at, "the " + kind + " needs callers to authenticate, but security.jwt.issuers"
                    + " and security.api-keys.consumers are both empty");
        }
        if (a.credentials().contains(RouteAuthConfig.Credential.JWT) && issuers.isEmpty()) {
            throw new ConfigException(file, at + ".credentials", "jwt needs at least one entry in security.jwt.issuers");
        }
        if (a.credentials().contains(RouteAuthConfig.Credential.API_KEY) && apiKeys.consumers().isEmpty()) {
            throw new ConfigException(file, at + ".credentials", "api-key needs at least one entry in security.api-keys.consumers");
        }
        if (!a.credentials().isEmpty() && a.credentials().stream().noneMatch(c ->
                c == RouteAuthConfig.Credential.JWT ? !issuers.isEmpty() : !apiKeys.consumers().isEmpty())) {
            throw new ConfigException(file, at + ".credentials", "none of these credentials is configured");
        }
    }

    /** Whether any credential can be verified at all. */
    boolean hasCredentials() {
        return !issuers.isEmpty() || !apiKeys.consumers().isEmpty();
    }
}
