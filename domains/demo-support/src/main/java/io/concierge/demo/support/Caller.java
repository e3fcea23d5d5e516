package io.concierge.demo.support;

import java.util.Optional;
import java.util.Set;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;

/**
 * The caller as the domain gateway verified it, from the identity headers it sets
 * ({@code X-Auth-Subject}, {@code X-Auth-Roles}; docs/security.md). The gateway strips client-sent
 * copies of these headers on every route, so a service reachable only through its gateway can
 * trust them. A request without them did not come through a protected route (a test calling the
 * service directly): then there is no caller, and the service behaves as before.
 *
 * @param subject the token's subject (the user id)
 * @param roles   the token's roles
 */
public record Caller(String subject, Set<String> roles) {
    public static final String SUBJECT_HEADER = "X-Auth-Subject";
    public static final String ROLES_HEADER = "X-Auth-Roles";
    static final String ADMIN = "admin";

    public static Optional<Caller> of(ServerRequest req) {
        Optional<String> subject = req.headers().first(HeaderNames.create(SUBJECT_HEADER));
        if (subject.isEmpty()) {
            return Optional.empty();
        }
        String roles = req.headers().first(HeaderNames.create(ROLES_HEADER)).orElse("");
        return Optional.of(new Caller(subject.get(), roles.isEmpty() ? Set.of() : Set.of(roles.split(","))));
    }

    public boolean isAdmin() {
        return roles.contains(ADMIN);
    }

    /**
     * "Own resource or admin".
     *
     * @throws ProblemException 403 when {@code ownerId} is someone else's and the caller is no admin
     */
    public void mustOwn(String ownerId, String what) {
        if (!isAdmin() && !subject.equals(ownerId)) {
            throw new ProblemException(Status.FORBIDDEN_403, "This " + what + " belongs to another user");
        }
    }
}
