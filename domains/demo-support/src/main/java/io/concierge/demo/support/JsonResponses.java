package io.concierge.demo.support;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/** Writes JSON bodies and RFC 9457 problem documents with one shared, thread-safe mapper. */
public final class JsonResponses {
    /** Shared by all handlers: an {@link ObjectMapper} is thread-safe once configured. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    public static final String JSON = "application/json";
    public static final String PROBLEM_JSON = "application/problem+json";

    private JsonResponses() {
    }

    public static void ok(ServerResponse res, Object body) {
        send(res, Status.OK_200, body);
    }

    public static void send(ServerResponse res, Status status, Object body) {
        write(res, status, JSON, toJson(body));
    }

    /** A problem document with {@code type}, {@code title}, {@code status} and {@code detail}. */
    public static void problem(ServerResponse res, Status status, String detail) {
        write(res, status, PROBLEM_JSON, problemDocument(status, detail));
    }

    public static void problem(ServerResponse res, ProblemException problem) {
        problem(res, problem.status(), problem.detail());
    }

    /** The RFC 9457 body for {@code status}; {@code detail} is shown to the client as is. */
    static byte[] problemDocument(Status status, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        // about:blank says "the status code is the whole story", which is true for these services.
        problem.put("type", "about:blank");
        problem.put("title", status.reasonPhrase());
        problem.put("status", status.code());
        problem.put("detail", detail);
        return toJson(problem);
    }

    private static void write(ServerResponse res, Status status, String contentType, byte[] body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        res.send(body);
    }

    private static byte[] toJson(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            // Our own records always serialise; failing here is a programming error.
            throw new IllegalStateException("Cannot serialise response body", e);
        }
    }
}
