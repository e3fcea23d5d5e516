package io.concierge.gateway.problem;

import java.util.UUID;

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
        String requestId = UUID.randomUUID().toString();
        int code = status.code();
        // Never echo the parser's message: it can quote attacker-controlled bytes.
        String detail = switch (code) {
            case 400 -> "the request is malformed";
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
