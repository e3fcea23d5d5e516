package io.concierge.demo.support;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;

/**
 * Answers requests that Helidon rejects before routing (a malformed request line or query, a body
 * over the payload limit) with a problem document too, so clients see one error format.
 * Helidon's message is not passed on: it may quote the rejected request.
 */
final class ProblemDirectHandler implements DirectHandler {
    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, JsonResponses.PROBLEM_JSON)
                .entity(JsonResponses.problemDocument(status, detail(eventType, status)))
                .build();
    }

    private static String detail(EventType eventType, Status status) {
        return switch (eventType) {
            case BAD_REQUEST -> "The request is not well-formed HTTP";
            case PAYLOAD_TOO_LARGE -> "The request body is larger than " + DemoServer.MAX_PAYLOAD_BYTES + " bytes";
            default -> status.code() < 500 ? status.reasonPhrase() : "The service failed";
        };
    }
}
