package io.concierge.gateway.problem;


import io.concierge.gateway.requestid.RequestIds;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Requests that the HTTP layer refuses before routing (malformed request line, oversized headers
 * or URI, bad framing) still get a problem+json body and a request id, like every other error.
 */
public final class ProblemDirectHandler implements DirectHandler {
    /** The fixed message of Helidon 4.3.0's header parser when its size limit is hit. */
    private static final String HELIDON_HEADER_LIMIT = "Header size exceeded";

    private ProblemDirectHandler() {
    }

    public static DirectHandlers handlers() {
        DirectHandlers.Builder b = DirectHandlers.builder();
        ProblemDirectHandler h = new ProblemDirectHandler();
        for (EventType t : EventType.values()) {
            b.addHandler(t, h);
        }
        return b.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        String requestId = RequestIds.generate();
        if (status.code() == 400 && HELIDON_HEADER_LIMIT.equals(message)) {
            // Helidon's own header limit (the hard stop above ours) reports a plain 400; the
            // client needs to know it is the size (RFC 6585 section 5).
            status = Status.create(431, "Request Header Fields Too Large");
        }
        int code = status.code();
        // Never echo the parser's message: it can quote attacker-controlled bytes.
        String detail = switch (code) {
            case 400 -> "the request is malformed";
            case 408 -> "the request head took too long to arrive";
            case 413 -> "the request body is too large";
            case 414 -> "the request URI is too long";
            case 431 -> "the request header fields are too large";
            case 505 -> "only HTTP/1.1 and HTTP/1.0 are supported";
            default -> code >= 500 ? "the gateway failed to process the request" : "the request was refused";
        };
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .header(HeaderNames.create("X-Request-Id"), requestId)
                .keepAlive(false)
                .entity(Problem.body(code, status.reasonPhrase(), detail, requestId))
                .build();
    }
}
