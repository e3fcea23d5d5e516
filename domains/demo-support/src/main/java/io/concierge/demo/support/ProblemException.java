package io.concierge.demo.support;

import io.helidon.http.Status;

/**
 * A client error that a handler reports by throwing; {@link DemoServer} turns it into an
 * RFC 9457 {@code application/problem+json} response. Throwing keeps validation code free of
 * response plumbing.
 *
 * <p>The detail is sent to the client, so it must name fields, never echo secrets.
 */
public final class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Status status;

    public ProblemException(Status status, String detail) {
        // No stack trace: these are expected outcomes of bad input, not bugs.
        super(detail, null, false, false);
        this.status = status;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(Status.BAD_REQUEST_400, detail);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(Status.UNAUTHORIZED_401, detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(Status.NOT_FOUND_404, detail);
    }

    public Status status() {
        return status;
    }

    public String detail() {
        return getMessage();
    }
}
