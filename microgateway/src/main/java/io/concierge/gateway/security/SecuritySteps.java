package io.concierge.gateway.security;

import java.util.List;

import io.concierge.gateway.config.IpRanges;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.proxy.StrippedHeaderNames;

/**
 * The security steps, one constructor each, for {@code RouteChains}, which decides which a chain
 * contains and in which order. Each step holds its configuration and the shared state it needs
 * (a gateway's {@link DomainSecurity}, the edge's {@link SecurityStats}), built once per server.
 */
public final class SecuritySteps {
    private SecuritySteps() {
    }

    /**
     * The trusted-proxy rule. {@code sanitize} (the edge, the trust boundary) also drops the
     * forwarding headers of untrusted peers before the request goes on.
     */
    public static Step clientIp(IpRanges trustedProxies, boolean sanitize) {
        return new ClientIpStep(trustedProxies, sanitize);
    }

    /** Allow and deny lists on the client address of a gateway route. */
    public static Step ipList(IpRanges allow, IpRanges deny, DomainSecurity domain) {
        return new IpListStep(allow, deny, domain.rejections);
    }

    /** Allow and deny lists on the client address at the edge. */
    public static Step ipList(IpRanges allow, IpRanges deny, SecurityStats edgeStats) {
        return new IpListStep(allow, deny, new Rejections("edge", edgeStats));
    }

    /** Drops client-sent identity headers (any spelling), so only authentication can set them. */
    public static Step stripIdentity(IdentityHeaders headers) {
        return new StripIdentityStep(headers.all());
    }

    /** Authentication and authorization of a route that is not public. */
    public static Step auth(String routeId, RouteAuthConfig auth, DomainSecurity domain) {
        SecurityConfig sec = domain.config;
        Access access = auth.effectiveAccess(sec);
        boolean anyKind = auth.credentials().isEmpty();
        JwtVerifier jwt = (anyKind || auth.credentials().contains(RouteAuthConfig.Credential.JWT))
                && !domain.jwt.isEmpty() ? domain.jwt : null;
        ApiKeyVerifier keys = (anyKind || auth.credentials().contains(RouteAuthConfig.Credential.API_KEY))
                && !domain.apiKeys.isEmpty() ? domain.apiKeys : null;
        if (jwt == null && keys == null) {
            // GatewayConfig validation refuses this; kept so a route can never end up open by accident.
            throw new IllegalStateException("route '" + routeId + "' needs credentials the domain does not configure");
        }
        return new AuthStep(access, jwt, keys, auth, sec.identityHeaders(), domain.rejections);
    }

    /** Whether a route with {@code auth} needs {@link #auth}. */
    public static boolean needsAuth(RouteAuthConfig auth, SecurityConfig security) {
        return auth.effectiveAccess(security) != Access.PUBLIC;
    }

    /** 413 for request bodies over {@code max} bytes. */
    public static Step bodyLimit(long max, SecurityStats stats) {
        return new BodyLimitStep(max, stats);
    }

    /** Why a named class: a lambda would show as {@code $$Lambda} in {@link Chain#steps()}. */
    private static final class StripIdentityStep implements Step {
        private final StrippedHeaderNames names;

        StripIdentityStep(List<String> names) {
            this.names = StrippedHeaderNames.of(names);
        }

        @Override
        public void handle(Exchange exchange, Chain next) {
            exchange.upstreamHeaders().remove(names);
            next.proceed(exchange);
        }
    }
}
