package io.concierge.gateway.security;

import java.util.List;
import java.util.Set;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.pipeline.Identity;
import io.concierge.gateway.proxy.UpstreamHeaders;
import io.concierge.gateway.rewrite.RawQuery;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * A route's authentication and authorization, in that order: find the credential (bearer token
 * or API key), verify it (401 when missing or invalid), check roles (any of), scopes (all of) and
 * the owner rule (403), then hand the identity to later filters and to the upstream in the
 * identity headers. Client-sent identity headers were stripped before (see {@link SecuritySteps#stripIdentity}).
 */
final class AuthStep implements Step {
    private final Access access;
    private final JwtVerifier jwt;
    private final ApiKeyVerifier apiKeys;
    private final Set<String> roles;
    private final Set<String> scopes;
    private final RouteAuthConfig.OwnerRule owner;
    private final IdentityHeaders headers;
    private final Rejections rejections;
    private final String[] missingChallenge;
    private final String bearerRealm;

    /** @param jwt null when the route does not take tokens; @param apiKeys null when it does not take API keys */
    AuthStep(Access access, JwtVerifier jwt, ApiKeyVerifier apiKeys, RouteAuthConfig route, IdentityHeaders headers,
               Rejections rejections) {
        this.access = access;
        this.jwt = jwt;
        this.apiKeys = apiKeys;
        this.roles = route.roles();
        this.scopes = route.scopes();
        this.owner = route.owner();
        this.headers = headers;
        this.rejections = rejections;
        this.bearerRealm = "Bearer realm=\"" + rejections.realm() + "\"";
        String apiKeyChallenge = apiKeys == null ? null
                : "ApiKey realm=\"" + rejections.realm() + "\", header=\"" + apiKeys.header().defaultCase() + "\"";
        // The contract asks for error="invalid_token" on missing credentials too. RFC 6750 section
        // 3.1 would leave the code out there; clients that key on the code handle both cases alike.
        String bearerMissing = bearerRealm + ", error=\"invalid_token\", error_description=\""
                + Rejection.MISSING_CREDENTIALS.detail() + "\"";
        this.missingChallenge = jwt != null && apiKeys != null ? new String[] {bearerMissing, apiKeyChallenge}
                : jwt != null ? new String[] {bearerMissing} : new String[] {apiKeyChallenge};
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        ServerRequest req = exchange.request();
        if (apiKeys != null) {
            // The key authenticates the client to the gateway; the upstream has no use for it.
            exchange.upstreamHeaders().remove(apiKeys.header().defaultCase());
            if (apiKeys.queryParam() != null) {
                String raw = req.prologue().query().rawValue();
                String stripped = RawQuery.without(raw, apiKeys.queryParam());
                if (!stripped.equals(raw)) {
                    exchange.upstreamQuery(stripped);
                }
            }
        }
        Identity identity;
        TokenClaims claims = TokenClaims.NONE;
        String bearer = jwt == null ? null : bearer(req);
        String key = bearer == null && apiKeys != null ? apiKeys.presented(req) : null;
        if (bearer != null) {
            JwtVerifier.Result r = jwt.verify(bearer);
            if (r.rejection() != null) {
                // RFC 6750 section 3.1; the description is the same text as the problem's detail.
                rejections.refuse(exchange, r.rejection(), r.issuer() == null ? null : "issuer=" + r.issuer(),
                        new String[] {bearerRealm + ", error=\"invalid_token\", error_description=\""
                                + r.rejection().detail() + "\""});
                return;
            }
            identity = r.identity();
            claims = r.claims();
        } else if (key != null) {
            identity = apiKeys.verify(key);
            if (identity == null) {
                rejections.refuse(exchange, Rejection.BAD_API_KEY, null, missingChallenge);
                return;
            }
        } else if (access == Access.OPTIONAL) {
            next.proceed(exchange);
            return;
        } else {
            rejections.refuse(exchange, Rejection.MISSING_CREDENTIALS, null, missingChallenge);
            return;
        }
        if (!roles.isEmpty() && disjoint(roles, identity.roles())) {
            rejections.refuse(exchange, Rejection.MISSING_ROLE, who(identity), null);
            return;
        }
        if (!identity.scopes().containsAll(scopes)) {
            rejections.refuse(exchange, Rejection.MISSING_SCOPE, who(identity), new String[] {bearerRealm
                    + ", error=\"insufficient_scope\", scope=\"" + String.join(" ", scopes) + "\""});
            return;
        }
        if (owner != null && !ownerAllows(exchange, identity, claims)) {
            rejections.refuse(exchange, Rejection.NOT_OWNER, who(identity), null);
            return;
        }
        exchange.attribute(Identity.class, identity);
        exchange.attribute(TokenClaims.class, claims);
        addIdentityHeaders(exchange.upstreamHeaders(), identity);
        next.proceed(exchange);
    }

    private boolean ownerAllows(Exchange exchange, Identity identity, TokenClaims claims) {
        if (!disjoint(owner.unlessRoles(), identity.roles())) {
            return true;
        }
        String expected = ApiKeyVerifier.ISSUER.equals(identity.issuer()) ? identity.consumer()
                : claims.values().get(owner.claim());
        if (expected == null) {
            return false;
        }
        if (owner.fromPath()) {
            return expected.equals(exchange.pathParams().get(owner.name()));
        }
        List<String> values;
        try {
            if (!exchange.request().query().contains(owner.name())) {
                return false; // "my orders" must name me; no parameter would mean everyone's
            }
            values = exchange.request().query().all(owner.name());
        } catch (RuntimeException e) {
            return false; // malformed percent-encoding: the upstream would read something else
        }
        for (String v : values) {
            if (!expected.equals(v)) {
                return false;
            }
        }
        return !values.isEmpty();
    }

    private void addIdentityHeaders(UpstreamHeaders upstream, Identity identity) {
        if (identity.subject() != null) {
            upstream.add(headers.subject(), identity.subject());
        }
        if (!identity.roles().isEmpty()) {
            upstream.add(headers.roles(), String.join(",", identity.roles()));
        }
        if (!identity.scopes().isEmpty()) {
            upstream.add(headers.scopes(), String.join(",", identity.scopes()));
        }
        if (identity.consumer() != null) {
            upstream.add(headers.consumer(), identity.consumer());
        }
        upstream.add(headers.issuer(), identity.issuer());
    }

    private static String who(Identity identity) {
        return identity.subject() != null ? "subject=" + identity.subject() + " issuer=" + identity.issuer()
                : "consumer=" + identity.consumer();
    }

    private static boolean disjoint(Set<String> a, Set<String> b) {
        for (String x : a) {
            if (b.contains(x)) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the bearer token, "" for an Authorization header that claims to be Bearer but is not
     *         usable (so it is refused as malformed rather than treated as absent), or null
     */
    static String bearer(ServerRequest req) {
        if (!req.headers().contains(HeaderNames.AUTHORIZATION)) {
            return null;
        }
        // The usual case, one field line without a comma, is the one value Helidon's values() would
        // give (it splits at commas only), read without its stream pipeline and lists (issue 19:
        // ~1 KB per request on a JWT route).
        Header h = req.headers().get(HeaderNames.AUTHORIZATION);
        String v;
        boolean single;
        if (h.valueCount() == 1 && h.get().indexOf(',') < 0) {
            v = h.get();
            single = true;
        } else {
            List<String> values = req.headers().values(HeaderNames.AUTHORIZATION);
            v = values.get(0);
            single = values.size() == 1;
        }
        // Latin-1 header text: ignoring case here is toLowerCase(Locale.ROOT) without the copy.
        if (v.length() < 7 || !v.regionMatches(true, 0, "bearer ", 0, 7)) {
            return null; // another scheme (Basic, ...): not ours
        }
        if (!single) {
            return "";
        }
        return v.substring(7).trim();
    }

}
