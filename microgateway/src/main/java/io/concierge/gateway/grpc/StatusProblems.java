package io.concierge.gateway.grpc;

import io.grpc.Status;

/**
 * The one mapping from a gRPC status to the HTTP status and problem title (docs/grpc.md). The
 * service's status message becomes the problem's detail only for the codes that describe the
 * client's request ({@code NOT_FOUND}, {@code INVALID_ARGUMENT}, ...), where the service wrote it
 * for the client; for the others it may describe internals (or come from the gRPC library itself,
 * with addresses in it), so the detail is generic.
 */
final class StatusProblems {
    private StatusProblems() {
    }

    record Mapped(int status, String title, boolean detailIsSafe) {
    }

    static Mapped map(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> new Mapped(400, "Bad Request", true);
            case NOT_FOUND -> new Mapped(404, "Not Found", true);
            case ALREADY_EXISTS, ABORTED -> new Mapped(409, "Conflict", true);
            case UNAUTHENTICATED -> new Mapped(401, "Unauthorized", false);
            case PERMISSION_DENIED -> new Mapped(403, "Forbidden", false);
            case RESOURCE_EXHAUSTED -> new Mapped(429, "Too Many Requests", false);
            case UNAVAILABLE -> new Mapped(503, "Service Unavailable", false);
            case DEADLINE_EXCEEDED -> new Mapped(504, "Gateway Timeout", false);
            case UNIMPLEMENTED -> new Mapped(501, "Not Implemented", false);
            // UNKNOWN, INTERNAL, DATA_LOSS, CANCELLED: the service failed; the gateway is fine.
            default -> new Mapped(502, "Bad Gateway", false);
        };
    }

    /**
     * Whether a status says the instance is in trouble (its circuit breaker counts it), rather than
     * answering the request: unreachable, too slow, or failing internally. NOT_FOUND and the other
     * answers about the request count as successes.
     */
    static boolean countsAgainstInstance(Status.Code code) {
        return switch (code) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, UNKNOWN, INTERNAL, DATA_LOSS -> true;
            default -> false;
        };
    }

    static String detail(Status status, Mapped mapped) {
        if (mapped.detailIsSafe() && status.getDescription() != null) {
            return status.getDescription();
        }
        return "the gRPC service answered " + status.getCode();
    }
}
