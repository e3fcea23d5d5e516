package io.concierge.gateway.problem;

import java.util.function.Consumer;

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
    /** The type of a problem that needs none beyond its status (RFC 9457 section 4.2.1). */
    public static final String ABOUT_BLANK = "about:blank";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Consumer<ObjectNode> NO_EXTENSIONS = node -> { };

    private Problem() {
    }

    public static byte[] body(int status, String title, String detail, String requestId) {
        return body(ABOUT_BLANK, status, title, detail, requestId, NO_EXTENSIONS);
    }

    private static byte[] body(String type, int status, String title, String detail, String requestId,
                               Consumer<ObjectNode> extensions) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", type);
        node.put("title", title);
        node.put("status", status);
        node.put("detail", detail);
        if (requestId != null) {
            node.put("requestId", requestId);
        }
        extensions.accept(node);
        try {
            return JSON.writeValueAsBytes(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static void send(ServerResponse res, int status, String title, String detail, String requestId) {
        send(res, ABOUT_BLANK, status, title, detail, requestId, NO_EXTENSIONS);
    }

    /**
     * A problem of its own {@code type} with extension members (RFC 9457 section 3.2) beyond the
     * standard ones, e.g. the failed part of a composition or the violated rate-limit policies.
     *
     * @param extensions adds the extension members to the problem object
     */
    public static void send(ServerResponse res, String type, int status, String title, String detail,
                            String requestId, Consumer<ObjectNode> extensions) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body(type, status, title, detail, requestId, extensions));
    }
}
