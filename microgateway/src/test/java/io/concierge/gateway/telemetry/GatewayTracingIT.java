package io.concierge.gateway.telemetry;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestTracing;
import io.concierge.gateway.testing.WireUpstream;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.SpanData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spans of one gateway hop on real sockets: the incoming W3C context is honoured, the SERVER span
 * is named by the route template, the CLIENT span is its child and its context is what the upstream
 * receives; failures are recorded; with tracing off the trace headers pass through untouched.
 */
class GatewayTracingIT {
    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String PARENT = "00f067aa0ba902b7";
    private final Resources resources = new Resources();

    @AfterEach
    void stop() throws Exception {
        resources.close();
    }

    static String yaml(int upstreamPort) {
        return """
                domain: users
                version: "7"
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api/users, /api/items]
                services:
                  backend:
                    instances:
                      - url: http://127.0.0.1:%d
                routes:
                  - id: user
                    match: {path: "/api/users/{id}"}
                    service: backend
                  - id: items
                    match: {path: /api/items/**}
                    service: backend
                """.formatted(upstreamPort);
    }

    private GatewayServer gateway(int upstreamPort, Tracing tracing) {
        return resources.track(GatewayServer.start(GatewayConfig.parse("users.yaml", yaml(upstreamPort), k -> null),
                new StaticDiscovery(List.of()), null, tracing));
    }

    @Test
    void incomingTraceContextIsHonouredAndPassedOnByTheClientSpan() {
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        TestTracing t = resources.track(new TestTracing("concierge-users"));
        GatewayServer g = gateway(upstream.port(), t.tracing());

        HttpResponse<String> r = Http.get(g.port(), "/api/users/42?x=1", "traceparent", "00-" + TRACE + "-" + PARENT
                + "-01", "tracestate", "vendor=abc", "baggage", "tenant=acme", "X-Request-Id", "rid-tracing-1");
        assertEquals(200, r.statusCode());

        SpanData server = t.await(SpanKind.SERVER, 1).get(0);
        SpanData client = t.await(SpanKind.CLIENT, 1).get(0);
        assertEquals(TRACE, server.getTraceId());
        assertEquals(PARENT, server.getParentSpanId());
        assertTrue(server.getParentSpanContext().isRemote());
        assertEquals("GET /api/users/{id}", server.getName());
        assertEquals("/api/users/{id}", server.getAttributes().get(AttributeKey.stringKey("http.route")));
        assertEquals("GET", server.getAttributes().get(AttributeKey.stringKey("http.request.method")));
        assertEquals(200L, server.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals("/api/users/42", server.getAttributes().get(AttributeKey.stringKey("url.path")));
        assertEquals("127.0.0.1", server.getAttributes().get(AttributeKey.stringKey("network.peer.address")));
        assertEquals((long) g.port(), server.getAttributes().get(AttributeKey.longKey("server.port")));
        assertEquals("rid-tracing-1", server.getAttributes().get(AttributeKey.stringKey("concierge.request_id")));
        assertEquals("vendor=abc", server.getSpanContext().getTraceState().get("vendor") == null ? null
                : "vendor=" + server.getSpanContext().getTraceState().get("vendor"));

        assertEquals(TRACE, client.getTraceId());
        assertEquals(server.getSpanId(), client.getParentSpanId());
        assertEquals("GET", client.getName());
        assertEquals("backend", client.getAttributes().get(AttributeKey.stringKey("concierge.upstream.service")));
        assertEquals((long) upstream.port(), client.getAttributes().get(AttributeKey.longKey("server.port")));
        assertEquals("http://127.0.0.1:" + upstream.port() + "/api/users/42",
                client.getAttributes().get(AttributeKey.stringKey("url.full")), "no query in url.full");
        assertEquals(200L, client.getAttributes().get(AttributeKey.longKey("http.response.status_code")));

        RecordedRequest sent = upstream.lastRequest();
        assertEquals(List.of("00-" + TRACE + "-" + client.getSpanId() + "-01"), sent.headers("traceparent"),
                "exactly one traceparent, the client span's");
        assertEquals(List.of("vendor=abc"), sent.headers("tracestate"));
        assertEquals(1, sent.headers("baggage").size());
        assertTrue(sent.header("baggage").contains("tenant=acme"), sent.header("baggage"));
    }

    @Test
    void aRequestWithoutContextStartsANewSampledTrace() {
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        TestTracing t = resources.track(new TestTracing("concierge-users"));
        GatewayServer g = gateway(upstream.port(), t.tracing());

        assertEquals(200, Http.get(g.port(), "/api/items/a/b").statusCode());
        SpanData server = t.await(SpanKind.SERVER, 1).get(0);
        SpanData client = t.await(SpanKind.CLIENT, 1).get(0);
        assertFalse(server.getParentSpanContext().isValid(), "a root span");
        assertEquals("GET /api/items/**", server.getName());
        assertEquals(server.getTraceId(), client.getTraceId());
        String sent = upstream.lastRequest().header("traceparent");
        assertTrue(sent.startsWith("00-" + server.getTraceId() + "-" + client.getSpanId() + "-"), sent);
        // The sampled bit is set (the SDK may also set the W3C level-2 "random trace id" bit: 03).
        assertEquals(1, Integer.parseInt(sent.substring(53), 16) & 1, sent);
    }

    @Test
    void anInventedMethodCannotMintSpanNames() {
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        TestTracing t = resources.track(new TestTracing("concierge-users"));
        GatewayServer g = gateway(upstream.port(), t.tracing());

        Http.send("BREW", g.port(), "/api/users/42");
        SpanData server = t.await(SpanKind.SERVER, 1).get(0);
        assertEquals("HTTP /api/users/{id}", server.getName());
        assertEquals("_OTHER", server.getAttributes().get(AttributeKey.stringKey("http.request.method")));
        assertEquals("BREW", server.getAttributes().get(AttributeKey.stringKey("http.request.method_original")));
        SpanData client = t.await(SpanKind.CLIENT, 1).get(0);
        assertEquals("HTTP", client.getName(), "nor through the upstream call");
        assertEquals("_OTHER", client.getAttributes().get(AttributeKey.stringKey("http.request.method")));
    }

    @Test
    void unmatchedRequestsAreNamedByMethodOnlyAndUpstreamFailuresAreErrors() {
        int closed = WireUpstream.closedPort();
        TestTracing t = resources.track(new TestTracing("concierge-users"));
        GatewayServer g = gateway(closed, t.tracing());

        assertEquals(404, Http.get(g.port(), "/nowhere/123").statusCode());
        SpanData notFound = t.await(SpanKind.SERVER, 1).get(0);
        assertEquals("GET", notFound.getName(), "no raw path in span names");
        assertNull(notFound.getAttributes().get(AttributeKey.stringKey("http.route")));
        assertEquals(404L, notFound.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals(StatusCode.UNSET, notFound.getStatus().getStatusCode(), "a 4xx is not a server error");
        t.reset();

        assertEquals(502, Http.get(g.port(), "/api/users/1").statusCode());
        SpanData server = t.await(SpanKind.SERVER, 1).get(0);
        SpanData client = t.await(SpanKind.CLIENT, 1).get(0);
        assertEquals(StatusCode.ERROR, server.getStatus().getStatusCode());
        assertEquals("502", server.getAttributes().get(AttributeKey.stringKey("error.type")));
        assertEquals(StatusCode.ERROR, client.getStatus().getStatusCode());
        assertEquals(java.net.ConnectException.class.getName(),
                client.getAttributes().get(AttributeKey.stringKey("error.type")));
        assertFalse(client.getEvents().isEmpty(), "the exception is recorded as an event");
        assertEquals(server.getSpanId(), client.getParentSpanId());
    }

    @Test
    void withTracingOffTraceHeadersPassThroughUntouched() {
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        GatewayServer g = gateway(upstream.port(), Tracing.disabled());
        String traceparent = "00-" + TRACE + "-" + PARENT + "-01";

        assertEquals(200, Http.get(g.port(), "/api/users/7", "traceparent", traceparent, "baggage", "k=v").statusCode());
        assertEquals(List.of(traceparent), upstream.lastRequest().headers("traceparent"));
        assertEquals(List.of("k=v"), upstream.lastRequest().headers("baggage"));
    }

    @Test
    void outboundCallsOutsideTheProxyGetClientSpansUnderTheRequest() {
        TestTracing t = resources.track(new TestTracing("concierge-users"));
        Tracing tracing = t.tracing();
        AtomicReference<String> header = new AtomicReference<>();
        Context parent;
        try (ClientSpan outer = tracing.clientCall("GET", "127.0.0.1", 1, "http://127.0.0.1:1/a", "a")) {
            parent = outer.context();
            // Two calls in parallel under one parent, as a composition fan-out would make them.
            try (ClientSpan one = tracing.clientCall(parent, "GET", "127.0.0.1", 2, "http://127.0.0.1:2/b", "b");
                 ClientSpan two = tracing.clientCall(parent, "GET", "127.0.0.1", 3, "http://127.0.0.1:3/c", "c")) {
                one.inject((k, v) -> {
                    if (k.equals("traceparent")) {
                        header.set(v);
                    }
                });
                one.status(200);
                two.failed(new java.io.IOException("boom"));
            }
        }
        List<SpanData> spans = t.await(SpanKind.CLIENT, 3);
        SpanContext outer = spans.stream().filter(s -> "a".equals(s.getAttributes()
                .get(AttributeKey.stringKey("concierge.upstream.service")))).findFirst().orElseThrow().getSpanContext();
        for (String svc : List.of("b", "c")) {
            SpanData child = spans.stream().filter(s -> svc.equals(s.getAttributes()
                    .get(AttributeKey.stringKey("concierge.upstream.service")))).findFirst().orElseThrow();
            assertEquals(outer.getSpanId(), child.getParentSpanId());
            assertEquals(outer.getTraceId(), child.getTraceId());
        }
        assertTrue(header.get().startsWith("00-" + outer.getTraceId() + "-"), header.get());
        assertNotEquals(outer.getSpanId(), header.get().substring(36, 52));
        assertEquals(ClientSpan.NOOP, Tracing.disabled().clientCall("GET", "h", 1, "u", "s"));
    }
}
