package io.concierge.demo.support;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.concierge.demo.support.ServiceClient.json;
import static io.concierge.demo.support.ServiceClient.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoServerTest {
    private static WebServer server;
    private static ServiceClient client;

    @BeforeAll
    static void start() {
        server = DemoServer.start("echo", "127.0.0.1", 0, routing -> routing
                .post("/echo", (req, res) -> {
                    JsonBody body = JsonBody.read(req);
                    JsonResponses.ok(res, Map.of("name", body.token("name")));
                })
                .get("/missing", (req, res) -> {
                    throw ProblemException.notFound("No such thing");
                })
                .get("/bug", (req, res) -> {
                    throw new IllegalStateException("internal secret detail");
                }));
        client = new ServiceClient(server);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop();
    }

    @Test
    void bindsAnEphemeralPort() {
        assertNotEquals(0, server.port());
    }

    @Test
    void aTakenPortIsAStartFailure() {
        DemoServer.StartFailure failure = assertThrows(DemoServer.StartFailure.class,
                () -> DemoServer.start("twin", "127.0.0.1", server.port(), routing -> { }));
        assertEquals("twin service could not listen on 127.0.0.1:" + server.port(), failure.getMessage());
    }

    @Test
    void healthNamesTheService() {
        JsonNode health = json(client.get("/health"), 200);
        assertEquals("UP", health.path("status").asText());
        assertEquals("echo", health.path("service").asText());
    }

    @Test
    void serviceRoutesAnswer() {
        assertEquals("a", json(client.post("/echo", "{\"name\":\"a\"}"), 200).path("name").asText());
    }

    @Test
    void thrownProblemBecomesProblemResponse() {
        JsonNode problem = problem(client.get("/missing"), 404);
        assertEquals("No such thing", problem.path("detail").asText());
        assertEquals("Not Found", problem.path("title").asText());
    }

    @Test
    void unknownPathIsProblem404() {
        problem(client.get("/nowhere"), 404);
        problem(client.send(client.request("/echo").DELETE()), 404);
    }

    @Test
    void malformedJsonIs400() {
        problem(client.post("/echo", "{\"name\":"), 400);
        problem(client.post("/echo", "{\"name\":\"a\"} trailing"), 400);
        problem(client.post("/echo", "[1,2]"), 400);
        problem(client.post("/echo", ""), 400);
        problem(client.post("/echo", "{\"name\":\"a\",\"name\":\"b\"}"), 400);
    }

    @Test
    void oversizedBodyIsRejectedWithoutA500() {
        // Expect: 100-continue makes the client wait for the server's verdict before sending the
        // body; without it the server's 413 and close race the upload and the client may see only
        // a reset connection.
        String big = "{\"name\":\"" + "x".repeat((int) DemoServer.MAX_PAYLOAD_BYTES) + "\"}";
        problem(client.send(client.request("/echo").expectContinue(true)
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(big))), 413);
    }

    @Test
    void requestsRejectedBeforeRoutingAreProblemsToo() {
        String raw = client.rawGet("/echo?name=%zz");
        assertTrue(raw.startsWith("HTTP/1.1 400 "), raw);
        assertTrue(raw.contains("application/problem+json") && raw.contains("\"status\":400"), raw);
    }

    @Test
    void bugsAre500WithoutInternalDetail() {
        HttpResponse<String> response = client.get("/bug");
        problem(response, 500);
        assertFalse(response.body().contains("secret"), response::body);
    }

    @Test
    void chunkedBodyIsRead() {
        HttpResponse<String> response = client.send(client.request("/echo")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream("{\"name\":\"c\"}".getBytes()))));
        assertEquals("c", json(response, 200).path("name").asText());
    }
}
