package io.concierge.gateway.grpc;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * REST → gRPC transcoding end to end on real sockets: an HTTP/1.1 client, a gateway, and a real gRPC
 * server ({@link TestGrpcService}) on ephemeral ports, the service defined only by its descriptor set.
 */
class GrpcTranscodingIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Resources RESOURCES = new Resources();
    private static TestGrpcService grpc;
    private static GatewayServer gateway;

    static String yaml(int grpcPort) {
        return """
                domain: test
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                services:
                  grpc-test:
                    grpc:
                      descriptors: %s
                    instances:
                      - url: http://127.0.0.1:%d
                routes:
                  - id: echo
                    match: {path: "/api/echo/{id}", methods: [GET]}
                    service: grpc-test
                    resilience: {deadline: 2s}
                    grpc:
                      method: concierge.test.TestService/Echo
                      path-params: {id: item_id}
                      query: {label: inner.label, n: numbers}
                      metadata: {request: [x-tenant], response: [x-served-by]}
                  - id: echo-body
                    match: {path: /api/echo-body, methods: [POST]}
                    service: grpc-test
                    grpc: {method: concierge.test.TestService/Echo, body: "*"}
                  - id: echo-options
                    match: {path: /api/echo-options}
                    service: grpc-test
                    grpc:
                      method: concierge.test.TestService/Echo
                      json: {int64: numbers, enums: numbers, emit-defaults: true, field-names: proto}
                  - id: fail
                    match: {path: /api/fail}
                    service: grpc-test
                    grpc: {method: concierge.test.TestService/Fail, metadata: {response: [x-error-info]}}
                  - id: slow
                    match: {path: /api/slow}
                    service: grpc-test
                    resilience: {deadline: 300ms}
                    grpc: {method: concierge.test.TestService/Slow}
                  - id: count
                    match: {path: /api/count}
                    service: grpc-test
                    grpc: {method: concierge.test.TestService/Count}
                  - id: get-item
                    match: {path: "/api/items/{item}/labels/{label}", methods: [GET]}
                    service: grpc-test
                    grpc: {method: concierge.test.TestService/GetItem}
                  - id: put-item
                    match: {path: "/api/items/{item}", methods: [PUT]}
                    service: grpc-test
                    grpc: {method: concierge.test.TestService/PutItem}
                  - id: count-ndjson
                    match: {path: /api/count-ndjson}
                    service: grpc-test
                    grpc: {method: concierge.test.TestService/Count, stream: ndjson}
                """.formatted(TestGrpcService.DESCRIPTORS, grpcPort);
    }

    @BeforeAll
    static void start() throws IOException {
        grpc = RESOURCES.track(new TestGrpcService());
        gateway = RESOURCES.track(TestGateways.start(yaml(grpc.port())));
    }

    @AfterAll
    static void stop() throws Exception {
        RESOURCES.close();
    }

    private static WireResponse get(String target, String... headers) throws IOException {
        return WireClient.exchange(gateway.port(), "GET", target, headers);
    }

    @Test
    void pathAndQueryValuesFillScalarEnumRepeatedAndNestedFields() throws IOException {
        WireResponse r = get("/api/echo/a%20b?text=hi&count=-3&big=9007199254740993&small=7&ratio=0.5&score=1.5"
                + "&flag=true&color=GREEN&tags=x&tags=y&n=1&n=2&label=L&blob=AQID&itemId=ignored-by-path");

        assertEquals(200, r.status(), r.toString());
        assertEquals("application/json", r.header("Content-Type"));
        JsonNode echoed = r.json().get("echoed");
        assertEquals("a b", echoed.get("itemId").asText(), "the path value wins over the query's");
        assertEquals("hi", echoed.get("text").asText());
        assertEquals(-3, echoed.get("count").asInt());
        assertEquals("9007199254740993", echoed.get("big").asText(), "int64 as a string by default");
        assertTrue(echoed.get("big").isTextual());
        assertEquals(7, echoed.get("small").asInt());
        assertEquals(0.5, echoed.get("ratio").asDouble());
        assertEquals(1.5, echoed.get("score").asDouble());
        assertTrue(echoed.get("flag").asBoolean());
        assertEquals("GREEN", echoed.get("color").asText());
        assertEquals(List.of("x", "y"), List.of(echoed.get("tags").get(0).asText(), echoed.get("tags").get(1).asText()));
        assertEquals(2, echoed.get("numbers").get(1).asInt());
        assertEquals("L", echoed.get("inner").get("label").asText());
        assertEquals("AQID", echoed.get("blob").asText());
        assertEquals("first", r.json().get("items").get(0).get("label").asText());
        assertNull(r.json().get("echoed").get("smallish"));
    }

    @Test
    void theMethodsGoogleApiHttpOptionMapsPathVariablesToNestedFieldsAndTheBody() throws IOException {
        WireResponse get = get("/api/items/i-7/labels/blue?count=2");
        assertEquals(200, get.status(), get.toString());
        assertEquals("i-7", get.json().get("echoed").get("itemId").asText());
        assertEquals("blue", get.json().get("echoed").get("inner").get("label").asText());
        assertEquals(2, get.json().get("echoed").get("count").asInt());

        byte[] body = "{\"label\":\"from-body\",\"rank\":4}".getBytes(StandardCharsets.UTF_8);
        WireResponse put;
        try (WireClient c = WireClient.connect(gateway.port())) {
            c.send(c.head("PUT", "/api/items/i-8", "Content-Type: application/json", "Content-Length: " + body.length));
            c.send(body);
            put = c.readResponse();
        }
        assertEquals(200, put.status(), put.toString());
        JsonNode echoed = put.json().get("echoed");
        assertEquals("i-8", echoed.get("itemId").asText());
        assertEquals("from-body", echoed.get("inner").get("label").asText(), "body: inner");
        assertEquals(4, echoed.get("inner").get("rank").asInt());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "count=1.5              | query parameter 'count' must be an integer (was '1.5')",
            "small=-1               | query parameter 'small' must be a non-negative integer (was '-1')",
            "ratio=abc              | query parameter 'ratio' must be a number (was 'abc')",
            "ratio=1d               | query parameter 'ratio' must be a number (was '1d')",
            "flag=yes               | query parameter 'flag' must be true or false (was 'yes')",
            "color=BLUE             | 'BLUE' is not one of [COLOR_UNSPECIFIED, RED, GREEN]",
            "n=1&n=x                | query parameter 'n' must be an integer (was 'x')",
            "text=a&text=b          | query parameter 'text' is given 2 times; it takes one value",
            "nosuch=1               | unknown query parameter 'nosuch'",
    })
    void aValueThatDoesNotConvertIsA400ProblemNamingTheParameter(String query, String detail) throws IOException {
        WireResponse r = get("/api/echo/1?" + query);

        assertEquals(400, r.status(), r.toString());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals(detail, r.json().get("detail").asText());
        assertEquals(r.header("X-Request-Id"), r.json().get("requestId").asText());
    }

    @Test
    void theJsonBodyIsTheRequestMessage() throws IOException {
        byte[] body = "{\"text\":\"from-body\",\"inner\":{\"rank\":3},\"color\":\"RED\"}".getBytes(StandardCharsets.UTF_8);
        WireResponse r;
        try (WireClient c = WireClient.connect(gateway.port())) {
            c.send(c.head("POST", "/api/echo-body", "Content-Type: application/json", "Content-Length: " + body.length));
            c.send(body);
            r = c.readResponse();
        }

        assertEquals(200, r.status(), r.toString());
        JsonNode echoed = r.json().get("echoed");
        assertEquals("from-body", echoed.get("text").asText());
        assertEquals(3, echoed.get("inner").get("rank").asInt());
        assertEquals("RED", echoed.get("color").asText());
    }

    @Test
    void aBodyThatIsNotTheMessageIsA400() throws IOException {
        byte[] body = "{\"count\":\"many\"}".getBytes(StandardCharsets.UTF_8);
        WireResponse r;
        try (WireClient c = WireClient.connect(gateway.port())) {
            c.send(c.head("POST", "/api/echo-body", "Content-Type: application/json", "Content-Length: " + body.length));
            c.send(body);
            r = c.readResponse();
        }

        assertEquals(400, r.status(), r.toString());
        assertTrue(r.json().get("detail").asText().startsWith("the JSON body does not match concierge.test.EchoRequest"),
                r.bodyText());
    }

    @Test
    void jsonOptionsWriteInt64AsNumbersEnumsAsNumbersDefaultsAndProtoNames() throws IOException {
        WireResponse r = get("/api/echo-options?item_id=x&color=RED");

        assertEquals(200, r.status(), r.toString());
        JsonNode body = r.json();
        assertTrue(body.get("total").isIntegralNumber(), r.bodyText());
        assertEquals(new BigInteger("9007199254740993"), body.get("total").bigIntegerValue());
        JsonNode echoed = body.get("echoed");
        assertEquals(1, echoed.get("color").asInt());
        assertEquals("x", echoed.get("item_id").asText());
        assertEquals(0, echoed.get("count").asInt(), "defaults are written");
        assertTrue(echoed.get("big").isIntegralNumber());
        assertTrue(echoed.get("tags").isArray());
    }

    @ParameterizedTest
    @CsvSource({
            "NOT_FOUND, 404, true",
            "INVALID_ARGUMENT, 400, true",
            "FAILED_PRECONDITION, 400, true",
            "OUT_OF_RANGE, 400, true",
            "ALREADY_EXISTS, 409, true",
            "ABORTED, 409, true",
            "UNAUTHENTICATED, 401, false",
            "PERMISSION_DENIED, 403, false",
            "RESOURCE_EXHAUSTED, 429, false",
            "UNAVAILABLE, 503, false",
            "DEADLINE_EXCEEDED, 504, false",
            "UNIMPLEMENTED, 501, false",
            "INTERNAL, 502, false",
            "UNKNOWN, 502, false",
            "DATA_LOSS, 502, false",
            "CANCELLED, 502, false",
    })
    void aGrpcStatusBecomesItsHttpStatusAndAProblem(String code, int status, boolean detailShown) throws IOException {
        WireResponse r = get("/api/fail?code=" + code + "&message=secret%20detail%20" + code);

        assertEquals(status, r.status(), r.toString());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertEquals(status, r.json().get("status").asInt());
        String detail = r.json().get("detail").asText();
        if (detailShown) {
            assertEquals("secret detail " + code, detail);
        } else {
            assertEquals("the gRPC service answered " + code, detail);
        }
        assertEquals("from-trailers", r.header("x-error-info"), "configured response metadata, from the trailers");
    }

    @Test
    void theDeadlineGoesAlongAsGrpcTimeoutAndAnExpiredOneIs504() throws IOException {
        WireResponse ok = get("/api/echo/1");
        long remaining = Long.parseLong(ok.json().get("seen").get("deadline-ms").asText());
        assertTrue(remaining > 0 && remaining <= 2000, "the route's 2s deadline reached the service: " + remaining);

        WireResponse late = get("/api/slow?millis=20000");
        assertEquals(504, late.status(), late.toString());
        assertEquals("the gRPC service answered DEADLINE_EXCEEDED", late.json().get("detail").asText());
    }

    @Test
    void allowedHeadersAndTheRequestIdBecomeMetadataAndSelectedMetadataComesBack() throws IOException {
        WireResponse r = get("/api/echo/1", "X-Tenant: acme", "X-Secret: not-for-the-service",
                "X-Request-Id: req-grpc-1");

        assertEquals(200, r.status(), r.toString());
        JsonNode seen = r.json().get("seen");
        assertEquals("acme", seen.get("x-tenant").asText());
        assertEquals("req-grpc-1", seen.get("x-request-id").asText());
        assertNull(seen.get("x-secret"), "only configured headers become metadata");
        assertEquals("test-grpc", r.header("x-served-by"));
    }

    @Test
    void aServerStreamIsAJsonArrayOrNdjson() throws IOException {
        WireResponse array = get("/api/count?upto=3");
        assertEquals(200, array.status(), array.toString());
        assertEquals("application/json", array.header("Content-Type"));
        assertEquals("[{\"label\":\"n1\",\"rank\":1},{\"label\":\"n2\",\"rank\":2},{\"label\":\"n3\",\"rank\":3}]",
                array.bodyText());

        WireResponse empty = get("/api/count?upto=0");
        assertEquals("[]", empty.bodyText());

        WireResponse nd = get("/api/count-ndjson?upto=2");
        assertEquals("application/x-ndjson", nd.header("Content-Type"));
        assertEquals("{\"label\":\"n1\",\"rank\":1}\n{\"label\":\"n2\",\"rank\":2}\n", nd.bodyText());
    }

    @Test
    void aStreamThatFailsBeforeItsFirstMessageIsAProblem() throws IOException {
        WireResponse r = get("/api/count?upto=-1");

        assertEquals(404, r.status(), r.toString());
        assertEquals("nothing to count", r.json().get("detail").asText());
    }

    @Test
    void aStreamThatFailsMidwayIsCutNotEndedAsIfComplete() throws IOException {
        try (WireClient c = WireClient.connect(gateway.port())) {
            c.send(c.head("GET", "/api/count?upto=5&failAfter=2"));
            assertThrows(IOException.class, c::readResponse, "a truncated stream must not read as complete");
        }
    }

    @Test
    void aClientThatLeavesMidStreamCancelsTheGrpcCall() throws IOException {
        int before = grpc.cancelledStreams.get();
        try (WireClient c = WireClient.connect(gateway.port())) {
            c.send(c.head("GET", "/api/count-ndjson?failAfter=-1"));
            c.readHeadResponse();
        }
        Poll.until("the service sees its stream cancelled", java.time.Duration.ofSeconds(10),
                () -> grpc.cancelledStreams.get() == before + 1);
    }

    @Test
    void aServiceThatIsDownIs503() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (GatewayServer down = TestGateways.start(yaml(closedPort))) {
            WireResponse r = WireClient.exchange(down.port(), "GET", "/api/echo/1");
            assertEquals(503, r.status(), r.toString());
            assertEquals("the gRPC service answered UNAVAILABLE", r.json().get("detail").asText());
            assertFalse(r.bodyText().contains(Integer.toString(closedPort)), "no address in the problem");
        }
        assertEquals(Map.of(), Map.of());
    }
}
