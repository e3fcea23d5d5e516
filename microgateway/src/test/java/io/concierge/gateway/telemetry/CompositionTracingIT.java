package io.concierge.gateway.telemetry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.OtlpReceiver.ReceivedSpan;
import io.concierge.gateway.testing.OtlpReceiver;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestTracing;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireUpstream;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A composition's fan-out in the trace: every local call runs in process, an INTERNAL span whose
 * parent is the composition's SERVER span (siblings, since they run in parallel), labelled with the
 * route that served it; the proxy's CLIENT span to the service is that call's child, and the upstream
 * receives its context. No loopback CLIENT/SERVER pair any more. A cross-domain call is still a CLIENT
 * span continued by the other gateway's SERVER span. Checked with the in-memory exporter and over real
 * OTLP/HTTP.
 */
class CompositionTracingIT {
    static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    static final String PARENT = "b7ad6b7169203331";
    private final Resources resources = new Resources();

    @AfterEach
    void stop() throws Exception {
        resources.close();
    }

    static String yaml(int upstreamPort) {
        return """
                domain: shop
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api]
                services:
                  backend:
                    instances: [{url: "http://127.0.0.1:%d"}]
                routes:
                  - id: items
                    match: {path: "/api/items/**", methods: [GET]}
                    service: backend
                compositions:
                  - id: basket
                    match: {path: /api/basket}
                    fan-out: {max-concurrency: 3}
                    calls:
                      - {name: list, service: backend, path: /api/items/list, at: .}
                      - name: detail
                        service: backend
                        for-each: ${list.ids[*]}
                        path: /api/items/detail/${each}
                        at: details
                """.formatted(upstreamPort);
    }

    static UpstreamReply reply(RecordedRequest r) {
        String body = r.target().equals("/api/items/list") ? "{\"ids\":[\"a\",\"b\",\"c\"]}"
                : "{\"id\":\"" + r.target().substring(r.target().lastIndexOf('/') + 1) + "\"}";
        return UpstreamReply.json(200, body.getBytes(StandardCharsets.UTF_8));
    }

    private GatewayServer gateway(WireUpstream upstream, Tracing tracing) {
        return resources.track(GatewayServer.start(GatewayConfig.parse("shop.yaml", yaml(upstream.port()), k -> null),
                new StaticDiscovery(List.of()), null, tracing));
    }

    @Test
    void fanOutCallsAreParallelChildrenOfTheCompositionSpan() {
        WireUpstream upstream = resources.track(WireUpstream.start(CompositionTracingIT::reply));
        TestTracing t = resources.track(new TestTracing("concierge-shop"));
        GatewayServer g = gateway(upstream, t.tracing());

        var r = Http.get(g.port(), "/api/basket", "traceparent", "00-" + TRACE + "-" + PARENT + "-01");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"details\""), r.body());

        // 1 composition SERVER span; 4 INTERNAL spans, one per call; 4 proxy CLIENT spans, one under each.
        List<SpanData> servers = t.await(SpanKind.SERVER, 1);
        List<SpanData> calls = t.await(SpanKind.INTERNAL, 4);
        List<SpanData> clients = t.await(SpanKind.CLIENT, 4);
        assertEquals(1, servers.size(), "no loopback SERVER spans: " + servers);
        assertTrue(calls.stream().allMatch(s -> s.getTraceId().equals(TRACE)), "one trace");
        assertTrue(clients.stream().allMatch(s -> s.getTraceId().equals(TRACE)), "one trace");
        SpanData composition = servers.get(0);
        assertEquals("GET /api/basket", composition.getName());
        assertEquals(PARENT, composition.getParentSpanId());

        assertTrue(calls.stream().allMatch(c -> c.getParentSpanId().equals(composition.getSpanId())),
                "list + 3 details, all children of the composition span: " + calls);
        assertEquals(Set.of("list", "detail[0]", "detail[1]", "detail[2]"), calls.stream()
                .map(c -> c.getAttributes().get(AttributeKey.stringKey("concierge.composition.part")))
                .collect(Collectors.toSet()));
        assertTrue(calls.stream().allMatch(c -> "/api/items/**".equals(
                c.getAttributes().get(AttributeKey.stringKey("http.route")))), "the route that served each call");

        // The proxy's CLIENT span to the service is under each call's span, and the upstream saw its context.
        Set<String> callIds = calls.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
        assertTrue(clients.stream().allMatch(c -> callIds.contains(c.getParentSpanId())), "proxy spans under calls");
        Set<String> proxySpans = clients.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
        assertEquals(4, upstream.requests().size());
        for (RecordedRequest req : upstream.requests()) {
            String tp = req.header("traceparent");
            assertTrue(tp.startsWith("00-" + TRACE + "-"), tp);
            assertTrue(proxySpans.contains(tp.substring(36, 52)), "sent by a proxy span: " + tp);
        }
    }

    @Test
    void theFanOutIsExportedOverOtlpHttpUnderOneTrace() {
        OtlpReceiver receiver = resources.track(OtlpReceiver.start());
        WireUpstream upstream = resources.track(WireUpstream.start(CompositionTracingIT::reply));
        Tracing tracing = resources.track(Tracing.configure("concierge-shop", Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                "OTEL_BSP_SCHEDULE_DELAY", "50")::get));
        GatewayServer g = gateway(upstream, tracing);

        assertEquals(200, Http.get(g.port(), "/api/basket", "traceparent",
                "00-" + TRACE + "-" + PARENT + "-01").statusCode());
        Poll.until("9 spans of the composition exported", Duration.ofSeconds(20),
                () -> receiver.spans().stream().filter(s -> s.traceId().equals(TRACE)).count() >= 9);
        List<ReceivedSpan> spans = receiver.spans().stream().filter(s -> s.traceId().equals(TRACE)).toList();
        ReceivedSpan composition = spans.stream().filter(s -> s.name().equals("GET /api/basket")).findFirst()
                .orElseThrow();
        assertEquals(PARENT, composition.parentSpanId());
        List<ReceivedSpan> calls = spans.stream().filter(s -> s.kind() == ReceivedSpan.KIND_INTERNAL
                && s.parentSpanId().equals(composition.spanId())).toList();
        assertEquals(4, calls.size(), spans.toString());
        Set<String> callIds = calls.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
        assertEquals(4, spans.stream().filter(s -> s.kind() == ReceivedSpan.KIND_CLIENT
                && callIds.contains(s.parentSpanId())).count(), "each call's proxy span under it");
    }

    @Test
    void aCrossDomainCallIsServedUnderItsClientSpanByTheOtherGateway() {
        WireUpstream upstream = resources.track(WireUpstream.start(r -> UpstreamReply.json(200,
                "{\"id\":\"u1\"}".getBytes(StandardCharsets.UTF_8))));
        TestTracing t = resources.track(new TestTracing("concierge-mesh"));
        io.concierge.gateway.testing.MemoryDiscovery mesh = new io.concierge.gateway.testing.MemoryDiscovery();
        GatewayServer people = resources.track(GatewayServer.start(GatewayConfig.parse("people.yaml", """
                domain: people
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api/people]
                services:
                  backend:
                    instances: [{url: "http://127.0.0.1:%d"}]
                routes:
                  - id: person
                    match: {path: "/api/people/{id}", methods: [GET]}
                    service: backend
                """.formatted(upstream.port()), k -> null), mesh, null, t.tracing()));
        GatewayServer shop = resources.track(GatewayServer.start(GatewayConfig.parse("shop.yaml", """
                domain: shop
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                prefixes: [/api/card]
                services:
                  backend:
                    instances: [{url: "http://127.0.0.1:%d"}]
                routes:
                  - id: unused
                    match: {path: "/api/card/raw/**"}
                    service: backend
                compositions:
                  - id: card
                    match: {path: "/api/card/{id}"}
                    calls:
                      - {name: person, domain: people, path: "/api/people/${path.id}"}
                """.formatted(upstream.port()), k -> null), mesh, null, t.tracing()));
        Poll.until("the shop gateway sees the people gateway", Duration.ofSeconds(10),
                () -> Http.get(shop.port(), "/api/card/u1").statusCode() == 200);
        t.reset();

        assertEquals(200, Http.get(shop.port(), "/api/card/u1", "traceparent",
                "00-" + TRACE + "-" + PARENT + "-01").statusCode());
        // shop: SERVER (composition) -> CLIENT (call to people); people: SERVER -> CLIENT (upstream).
        // Only this trace: the warm-up request's spans may still be ending.
        Poll.until("both hops' spans of the trace", Duration.ofSeconds(10), () -> t.spans().stream()
                .filter(x -> x.getTraceId().equals(TRACE)).count() >= 4);
        List<SpanData> servers = t.spans(SpanKind.SERVER).stream().filter(x -> x.getTraceId().equals(TRACE)).toList();
        List<SpanData> clients = t.spans(SpanKind.CLIENT).stream().filter(x -> x.getTraceId().equals(TRACE)).toList();
        SpanData composition = servers.stream().filter(s -> s.getName().equals("GET /api/card/{id}")).findFirst()
                .orElseThrow();
        SpanData call = clients.stream().filter(c -> c.getParentSpanId().equals(composition.getSpanId()))
                .findFirst().orElseThrow();
        SpanData served = servers.stream().filter(s -> s.getName().equals("GET /api/people/{id}")).findFirst()
                .orElseThrow();
        assertEquals(TRACE, served.getTraceId());
        assertEquals(call.getSpanId(), served.getParentSpanId(), "the other gateway continues the call's span");
        assertEquals("people", call.getAttributes().get(AttributeKey.stringKey("concierge.upstream.service")));
        assertEquals((long) people.port(), call.getAttributes().get(AttributeKey.longKey("server.port")),
                "the instance that answered");
    }
}
