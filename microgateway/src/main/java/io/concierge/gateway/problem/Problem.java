package io.concierge.gateway.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * Errors produced by the gateway itself, as RFC 9457 {@code application/problem+json} with the
 * request id, so a client can quote it and an operator can find the access-log line.
 */
public final class Problem {
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Problem() {
    }

    public static byte[] body(int status, String title, String detail, String requestId) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "about:blank");
        node.put("title", title);
        node.put("status", status);
        node.put("detail", detail);
        if (requestId != null) {
            node.put("requestId", requestId);
        }
        try {
            return JSON.writeValueAsBytes(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static void send(ServerResponse res, int status, String title, String detail, String requestId) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body(status, title, detail, requestId));
    }
}
