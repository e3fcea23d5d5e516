package io.concierge.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.requestid.RequestIds;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * What admin writes (cache purges) require: {@code Authorization: Bearer <ADMIN_TOKEN>}, the token
 * taken from the environment when the configuration is loaded. Fail closed: without a token every
 * admin write answers 403, so a gateway nobody gave a token cannot be changed from its admin port;
 * a missing or wrong token answers 401. The token is compared in constant time and never printed.
 */
public final class AdminToken {
    public static final String ENV = "ADMIN_TOKEN";
    private static final AdminToken NONE = new AdminToken(null);
    private static final String BEARER = "Bearer ";

    private final byte[] token;

    private AdminToken(byte[] token) {
        this.token = token;
    }

    /** @param token the environment's value; null or blank means admin writes are off */
    public static AdminToken of(String token) {
        return token == null || token.isBlank() ? NONE : new AdminToken(token.strip().getBytes(StandardCharsets.UTF_8));
    }

    public boolean configured() {
        return token != null;
    }

    /** Whether the request may write; otherwise the 403 or 401 problem has been sent. */
    public boolean permits(ServerRequest req, ServerResponse res) {
        String requestId = RequestIds.resolve(req.headers());
        if (token == null) {
            Problem.send(res, 403, "Forbidden", "admin writes are disabled: set " + ENV + " to enable them",
                    requestId);
            return false;
        }
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        boolean ok = auth.length() > BEARER.length() && auth.regionMatches(true, 0, BEARER, 0, BEARER.length())
                && MessageDigest.isEqual(token, auth.substring(BEARER.length()).strip()
                .getBytes(StandardCharsets.UTF_8));
        if (!ok) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"concierge-admin\"");
            Problem.send(res, 401, "Unauthorized", "admin writes need Authorization: Bearer <" + ENV + ">",
                    requestId);
            return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return token == null ? "AdminToken[none]" : "AdminToken[set]";
    }
}
