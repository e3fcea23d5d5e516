package io.concierge.demo.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A real HTTP client for a demo service started in-process, shared by the services' tests through
 * demo-support's test-jar.
 */
public final class ServiceClient implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String base;

    public ServiceClient(WebServer server) {
        this.base = "http://127.0.0.1:" + server.port();
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    public HttpResponse<String> post(String path, String body) {
        return send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
    }

    /** The body of a JSON response, after checking status and content type. */
    public static JsonNode json(HttpResponse<String> response, int expectedStatus) {
        assertEquals(expectedStatus, response.statusCode(), response::body);
        assertEquals(JsonResponses.JSON, response.headers().firstValue("Content-Type").orElse(""));
        return parse(response.body());
    }

    /** Checks that the response is an RFC 9457 problem with this status and returns it. */
    public static JsonNode problem(HttpResponse<String> response, int expectedStatus) {
        assertEquals(expectedStatus, response.statusCode(), response::body);
        assertEquals(JsonResponses.PROBLEM_JSON, response.headers().firstValue("Content-Type").orElse(""));
        JsonNode problem = parse(response.body());
        assertEquals(expectedStatus, problem.path("status").asInt());
        assertFalse(problem.path("title").asText().isBlank(), "problem has a title");
        assertFalse(problem.path("detail").asText().isBlank(), "problem has a detail");
        return problem;
    }

    public static JsonNode parse(String json) {
        try {
            return JsonResponses.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("Not JSON: " + json, e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
