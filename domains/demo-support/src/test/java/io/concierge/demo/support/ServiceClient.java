package io.concierge.demo.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
    /* Generous: CI boxes have 2 cores shared with other builds. A hang still fails the test. */
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /* HTTP/1.1 like the gateways, and no h2c upgrade dance on the first request. */
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
    private final int port;
    private final String base;

    public ServiceClient(WebServer server) {
        this.port = server.port();
        this.base = "http://127.0.0.1:" + port;
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

    /**
     * Sends {@code GET <target>} over a plain socket, for request targets that
     * {@link java.net.URI} refuses to build (e.g. malformed percent-encoding). Returns the status
     * line and headers and body as received.
     */
    public String rawGet(String target) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
    }

    /** A request as the gateway forwards it for a verified caller: its identity headers set. */
    public HttpRequest.Builder requestAs(String path, String subject, String roles) {
        return request(path).header("X-Auth-Subject", subject).header("X-Auth-Roles", roles);
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
