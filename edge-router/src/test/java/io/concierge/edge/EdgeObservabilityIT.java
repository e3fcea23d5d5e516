package io.concierge.edge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.telemetry.Tracing;
import io.concierge.gateway.testing.OtlpReceiver;
import io.concierge.gateway.testing.OtlpReceiver.ReceivedSpan;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.TestTracing;
import io.concierge.gateway.testing.WireUpstream;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One trace across the mesh: a request crossing edge -> gateway -> service gives a SERVER and a
 * CLIENT span per hop under the client's trace id, each hop's SERVER span a child of the previous
 * hop's CLIENT span. Captured once with the SDK's in-memory exporter and once exported over real
 * OTLP/HTTP (protobuf) to a receiver in the test. Also the edge's /metrics and /admin.
 */
class EdgeObservabilityIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String TRACE_OTLP = "5b8efff798038103d269b633813fc60c";
    private static final String PARENT = "b7ad6b7169203331";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static MeshFixture mesh;
    private static TestTracing edgeSpans;
    private static TestTracing usersSpans;
    private static OtlpReceiver receiver;
    private static Tracing edgeOtlp;
    private static Tracing ordersOtlp;
    private static WireUpstream userService;
    private static WireUpstream orderService;
    private static EdgeServer edge;
    private static EdgeServer otlpEdge;

    @BeforeAll
    static void startMesh() {
        mesh = new MeshFixture();
        edgeSpans = new TestTracing("concierge-edge");
        usersSpans = new TestTracing("concierge-users");
        receiver = OtlpReceiver.start();
        edgeOtlp = Tracing.configure("concierge-edge", otlp("concierge-edge-otlp")::get);
        ordersOtlp = Tracing.configure("concierge-orders", otlp("concierge-orders")::get);
        userService = WireUpstream.start(WireUpstream.echo());
        orderService = WireUpstream.start(WireUpstream.echo());
        edge = mesh.edge(mesh.member("edge"), edgeSpans.tracing());
        otlpEdge = mesh.edge(mesh.member("edge-otlp"), edgeOtlp);
        mesh.gateway(mesh.member("users"), "users", List.of("/api/users"), userService.port(), usersSpans.tracing());
        mesh.gateway(mesh.member("orders"), "orders", List.of("/api/orders"), orderService.port(), ordersOtlp);
        Poll.until("both edges see users and orders", WAIT, () -> List.of(edge, otlpEdge).stream().allMatch(
                e -> e.liveInstances().containsKey("users") && e.liveInstances().containsKey("orders")));
    }

    private static Map<String, String> otlp(String serviceName) {
        return Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(), "OTEL_SERVICE_NAME", serviceName,
                "OTEL_BSP_SCHEDULE_DELAY", "50");
    }

    @AfterAll
    static void stopMesh() {
        mesh.close();
        edgeOtlp.close();
        ordersOtlp.close();
        receiver.close();
        userService.close();
        orderService.close();
        edgeSpans.close();
        usersSpans.close();
    }

    private static HttpResponse<String> get(int port, String path, String... headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10));
            if (headers.length > 0) {
                b.headers(headers);
            }
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void oneTraceAcrossEdgeGatewayAndServiceInMemory() {
        HttpResponse<String> r = get(edge.port(), "/api/users/42", "traceparent", "00-" + TRACE + "-" + PARENT + "-01");
        assertEquals(200, r.statusCode(), r.body());

        SpanData edgeServer = only(edgeSpans, SpanKind.SERVER, TRACE);
        SpanData edgeClient = only(edgeSpans, SpanKind.CLIENT, TRACE);
        SpanData gwServer = only(usersSpans, SpanKind.SERVER, TRACE);
        SpanData gwClient = only(usersSpans, SpanKind.CLIENT, TRACE);

        assertEquals(PARENT, edgeServer.getParentSpanId(), "the client's span is the edge's parent");
        assertEquals(edgeServer.getSpanId(), edgeClient.getParentSpanId());
        assertEquals(edgeClient.getSpanId(), gwServer.getParentSpanId(), "the edge's client span is the gateway's parent");
        assertEquals(gwServer.getSpanId(), gwClient.getParentSpanId());
        assertTrue(userService.lastRequest().header("traceparent").startsWith("00-" + TRACE + "-"
                + gwClient.getSpanId() + "-"), "the service continues the trace from the gateway's client span");

        assertEquals("GET users", edgeServer.getName());
        assertEquals("users", edgeServer.getAttributes().get(AttributeKey.stringKey("http.route")));
        assertEquals("GET /api/users/**", gwServer.getName());
        assertEquals("users", edgeClient.getAttributes().get(AttributeKey.stringKey("concierge.upstream.service")));
        assertEquals("svc", gwClient.getAttributes().get(AttributeKey.stringKey("concierge.upstream.service")));
        assertEquals("concierge-edge", edgeServer.getResource().getAttribute(AttributeKey.stringKey("service.name")));
        assertEquals("concierge-users", gwServer.getResource().getAttribute(AttributeKey.stringKey("service.name")));
    }

    @Test
    void oneTraceAcrossTheMeshExportedOverOtlpHttp() {
        HttpResponse<String> r = get(otlpEdge.port(), "/api/orders/7", "traceparent",
                "00-" + TRACE_OTLP + "-" + PARENT + "-01");
        assertEquals(200, r.statusCode(), r.body());
        Poll.until("4 spans of the trace exported over OTLP", WAIT,
                () -> receiver.spans().stream().filter(s -> s.traceId().equals(TRACE_OTLP)).count() >= 4);
        List<ReceivedSpan> spans = receiver.spans().stream().filter(s -> s.traceId().equals(TRACE_OTLP)).toList();
        assertEquals(4, spans.size(), spans.toString());
        ReceivedSpan edgeServer = find(spans, "concierge-edge-otlp", ReceivedSpan.KIND_SERVER);
        ReceivedSpan edgeClient = find(spans, "concierge-edge-otlp", ReceivedSpan.KIND_CLIENT);
        ReceivedSpan gwServer = find(spans, "concierge-orders", ReceivedSpan.KIND_SERVER);
        ReceivedSpan gwClient = find(spans, "concierge-orders", ReceivedSpan.KIND_CLIENT);
        assertEquals(PARENT, edgeServer.parentSpanId());
        assertEquals(edgeServer.spanId(), edgeClient.parentSpanId());
        assertEquals(edgeClient.spanId(), gwServer.parentSpanId());
        assertEquals(gwServer.spanId(), gwClient.parentSpanId());
        assertEquals("GET /api/orders/**", gwServer.name());
        assertEquals("/api/orders/**", gwServer.attributes().get("http.route"));
        assertEquals(200L, gwServer.attributes().get("http.response.status_code"));
        assertEquals("GET", gwServer.attributes().get("http.request.method"));
        assertEquals("/api/orders/7", gwServer.attributes().get("url.path"));
        assertTrue(orderService.lastRequest().header("traceparent").contains(gwClient.spanId()));
    }

    @Test
    void edgeMetricsAndAdminAreOnTheAdminPortOnly() throws Exception {
        assertEquals(200, get(edge.port(), "/api/users/1").statusCode());
        assertEquals(404, get(edge.port(), "/nothing/here/123").statusCode());
        PrometheusScrape[] m = new PrometheusScrape[1];
        Poll.until("edge counted both requests", WAIT, () -> {
            HttpResponse<String> r = get(edge.adminPort(), "/metrics");
            m[0] = new PrometheusScrape(r.body());
            return m[0].value("concierge_http_server_requests_total", "route", "unmatched") >= 1
                    && m[0].value("concierge_http_server_requests_total", "route", "users") >= 1;
        });
        assertTrue(m[0].value("concierge_upstream_request_duration_seconds_count", "service", "users") >= 1);
        assertEquals(1, m[0].value("concierge_edge_live_instances", "domain", "users"));
        assertTrue(m[0].value("concierge_cluster_members") >= 4);
        for (PrometheusScrape.Sample s : m[0].all()) {
            assertFalse(s.labels().containsValue("/nothing/here/123"), s.toString());
        }
        for (String path : List.of("/metrics", "/admin")) {
            assertEquals(404, get(edge.port(), path).statusCode(), path + " must not be public");
        }
        JsonNode admin = JSON.readTree(get(edge.adminPort(), "/admin").body());
        assertTrue(admin.at("/routes").toString().contains("{\"prefix\":\"/api/users\",\"domain\":\"users\"}"),
                admin.toString());
        assertEquals(1, admin.at("/instances/users").size());
        assertEquals(1, admin.at("/instances/orders").size());
        assertEquals(405, HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.adminPort() + "/admin"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    /** The one span of {@code kind} in the trace, once it has ended (after the response was sent). */
    private static SpanData only(TestTracing tracing, SpanKind kind, String traceId) {
        Poll.until(kind + " span of " + traceId, WAIT, () -> tracing.spans(kind).stream()
                .anyMatch(s -> s.getTraceId().equals(traceId)));
        List<SpanData> of = tracing.spans(kind).stream().filter(s -> s.getTraceId().equals(traceId)).toList();
        assertEquals(1, of.size(), of.toString());
        return of.get(0);
    }

    private static ReceivedSpan find(List<ReceivedSpan> spans, String service, int kind) {
        return spans.stream().filter(s -> service.equals(s.serviceName()) && s.kind() == kind).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " span of " + service + " in " + spans));
    }
}
