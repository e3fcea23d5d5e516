package io.concierge.gateway.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a client gets when the gateway itself answers: an unreachable, slow or broken upstream, no
 * route, a method the route does not allow. Every such answer is RFC 9457 problem+json with the
 * request id in the header and the body.
 */
class ProxyErrorTest {
    private static final CountDownLatch SLOW_GATE = new CountDownLatch(1);

    private static WireUpstream live;
    private static WireUpstream slow;
    private static WireUpstream broken;
    private static GatewayServer gateway;
    private static int closedPort;

    @BeforeAll
    static void start() {
        live = WireUpstream.start();
        slow = WireUpstream.start(WireUpstream.heldUntil(SLOW_GATE, WireUpstream.echo()));
        broken = WireUpstream.start(r -> switch (r.path()) {
            case "/api/broken/lost-first-byte" -> UpstreamReply.raw("TTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            case "/api/broken/truncated" -> UpstreamReply.raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-this");
            case "/api/broken/truncated-large" -> UpstreamReply.raw("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
                    + "x".repeat(20_000));
            case "/api/broken/folded" -> UpstreamReply.raw("HTTP/1.1 200 OK\r\nX-A: 1\r\n  continued\r\nContent-Length: 0\r\n\r\n");
            default -> UpstreamReply.raw("");
        });
        closedPort = WireUpstream.closedPort();
        gateway = TestGateways.start("""
                domain: test
                listen: {port: 0}
                admin: {port: 0}
                prefixes: [/api]
                services:
                  live:
                    instances: [{url: "http://127.0.0.1:%1$d"}]
                  dead:
                    instances: [{url: "http://127.0.0.1:%2$d"}]
                  half:
                    instances: [{url: "http://127.0.0.1:%2$d"}, {url: "http://127.0.0.1:%1$d"}]
                  slow:
                    instances: [{url: "http://127.0.0.1:%3$d"}]
                  broken:
                    instances: [{url: "http://127.0.0.1:%4$d"}]
                routes:
                  - id: live
                    match: {path: /api/live/**}
                    service: live
                  - id: dead
                    match: {path: /api/dead/**}
                    service: dead
                  - id: half
                    match: {path: /api/half/**}
                    service: half
                  - id: slow
                    match: {path: /api/slow/**}
                    service: slow
                    timeouts: {read: 300ms}
                  - id: broken
                    match: {path: /api/broken/**}
                    service: broken
                  - id: read-only
                    match: {path: /api/limited/**, methods: [GET, POST]}
                    service: live
                  - id: write-only
                    match: {path: /api/limited/**, methods: [put]}
                    service: live
                """.formatted(live.port(), closedPort, slow.port(), broken.port()));
    }

    @AfterAll
    static void stop() {
        SLOW_GATE.countDown();
        for (AutoCloseable c : new AutoCloseable[] {gateway, live, slow, broken}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // keep closing the rest
            }
        }
    }

    @Test
    void aRefusedConnectionIs502Problem() throws IOException {
        WireResponse r = WireClient.exchange(gateway.port(), "GET", "/api/dead/x", "X-Request-Id: refused-1");

        JsonNode problem = assertProblem(r, 502, "Bad Gateway");
        assertEquals("no instance of 'dead' accepted the connection", problem.get("detail").asText());
        assertEquals("refused-1", problem.get("requestId").asText());
    }

    @Test
    void anUpstreamSlowerThanTheRoutesReadTimeoutIs504Problem() throws IOException {
        WireResponse r = WireClient.exchange(gateway.port(), "GET", "/api/slow/x");

        JsonNode problem = assertProblem(r, 504, "Gateway Timeout");
        // The route's 300ms, not the service's default 30s.
        assertEquals("'slow' did not answer within 300 ms", problem.get("detail").asText());
    }

    @Test
    void noRouteIs404Problem() throws IOException {
        JsonNode inPrefix = assertProblem(WireClient.exchange(gateway.port(), "GET", "/api/unrouted"), 404, "Not Found");
        assertEquals("no route matches this path", inPrefix.get("detail").asText());
        assertProblem(WireClient.exchange(gateway.port(), "GET", "/elsewhere"), 404, "Not Found");
        assertProblem(WireClient.exchange(gateway.port(), "GET", "/"), 404, "Not Found");
    }

    @Test
    void aMethodNoRouteAllowsIs405WithAllow() throws IOException {
        WireResponse r = WireClient.exchange(gateway.port(), "DELETE", "/api/limited/x");

        JsonNode problem = assertProblem(r, 405, "Method Not Allowed");
        assertEquals("DELETE is not allowed here", problem.get("detail").asText());
        assertEquals("GET, POST, PUT", r.header("Allow"), "every method of every route on the path");
        assertEquals(200, WireClient.exchange(gateway.port(), "PUT", "/api/limited/x", "Content-Length: 0").status());
    }

    @Test
    void anInstanceThatRefusesConnectionsIsSkipped() throws IOException {
        int before = live.requestCount();
        for (int i = 0; i < 20; i++) {
            WireResponse r = WireClient.exchange(gateway.port(), "GET", "/api/half/" + i);
            assertEquals(200, r.status(), r::toString);
            assertEquals("/api/half/" + i, r.json().get("target").asText());
        }
        assertEquals(before + 20, live.requestCount());
    }

    @Test
    void aPostIsAlsoSentToTheNextInstanceWhenTheFirstRefusedTheConnection() throws IOException {
        // Nothing was sent to an instance that refused the connection, so any method may move on.
        for (int i = 0; i < 4; i++) {
            WireResponse r;
            try (WireClient c = WireClient.connect(gateway.port())) {
                c.send(c.head("POST", "/api/half/post", "Content-Length: 5") + "hello");
                r = c.readResponse();
            }
            assertEquals(200, r.status(), r::toString);
            assertEquals(5, r.json().get("bodyBytes").asInt());
        }
    }

    @Test
    void aResponseThatIsNotHttpIs502Problem() throws IOException {
        JsonNode problem = assertProblem(WireClient.exchange(gateway.port(), "GET", "/api/broken/lost-first-byte"),
                502, "Bad Gateway");
        assertEquals("'broken' failed to answer: not an HTTP/1.x status line", problem.get("detail").asText());
    }

    @Test
    void obsoleteLineFoldingFromTheUpstreamIs502Problem() throws IOException {
        JsonNode problem = assertProblem(WireClient.exchange(gateway.port(), "GET", "/api/broken/folded"),
                502, "Bad Gateway");
        assertEquals("'broken' failed to answer: obsolete header line folding", problem.get("detail").asText());
    }

    @Test
    void anUpstreamThatClosesWithoutAnswerIs502Problem() throws IOException {
        JsonNode problem = assertProblem(WireClient.exchange(gateway.port(), "GET", "/api/broken/silent"),
                502, "Bad Gateway");
        assertEquals("'broken' failed to answer: upstream closed the connection without a response",
                problem.get("detail").asText());
    }

    @Test
    void aSmallTruncatedUpstreamBodyIsAClean502() throws IOException {
        // Bodies up to 8 KiB are read whole before anything is sent, so a cut one becomes a 502.
        WireResponse r = WireClient.exchange(gateway.port(), "GET", "/api/broken/truncated");
        assertEquals(502, r.status(), r.toString());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals(200, WireClient.exchange(gateway.port(), "GET", "/api/live/after").status());
    }

    @Test
    void aTruncatedUpstreamBodyIsNeverPassedOffAsComplete() throws IOException {
        try (WireClient c = WireClient.connect(gateway.port())) {
            c.send(c.head("GET", "/api/broken/truncated-large")); // streamed: past the 8 KiB whole-body path
            // Either the status is already out and the connection is cut short of the declared
            // length, or nothing was sent yet and the answer is an error - never a short 200.
            try {
                WireResponse r = c.readResponse();
                assertTrue(r.status() >= 500, "a truncated body was relayed as " + r);
            } catch (EOFException expected) {
                // the client can tell: the body ended before its Content-Length
            }
        }
        assertEquals(200, WireClient.exchange(gateway.port(), "GET", "/api/live/after").status());
    }

    @Test
    void theGatewayStaysUsableAfterErrors() throws IOException {
        WireClient.exchange(gateway.port(), "GET", "/api/dead/x");
        WireClient.exchange(gateway.port(), "GET", "/api/broken/silent");
        try (WireClient c = WireClient.connect(gateway.port())) {
            // Errors keep the client connection: three exchanges on one socket.
            c.send(c.head("GET", "/api/dead/x"));
            assertEquals(502, c.readResponse().status());
            c.send(c.head("GET", "/api/unrouted"));
            assertEquals(404, c.readResponse().status());
            c.send(c.head("GET", "/api/live/x"));
            assertEquals(200, c.readResponse().status());
        }
    }

    static JsonNode assertProblem(WireResponse r, int status, String title) {
        assertEquals(status, r.status(), r::toString);
        assertEquals("application/problem+json", r.header("Content-Type"), r::toString);
        JsonNode problem = r.json();
        assertEquals(status, problem.get("status").asInt(), r::toString);
        assertEquals(title, problem.get("title").asText());
        assertTrue(problem.hasNonNull("detail"), r::toString);
        String id = r.header("X-Request-Id");
        assertTrue(id != null && !id.isEmpty(), r::toString);
        assertEquals(id, problem.get("requestId").asText(), "header and body name the same request");
        return problem;
    }
}
