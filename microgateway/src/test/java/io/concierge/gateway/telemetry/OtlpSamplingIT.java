package io.concierge.gateway.telemetry;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.OtlpReceiver.ReceivedSpan;
import io.concierge.gateway.testing.OtlpReceiver;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing configured the production way ({@code OTEL_*} settings, OTLP/HTTP export to a receiver
 * in the test) with a parent-based ratio of 0: a new trace is not sampled (no span exported, the
 * upstream still gets a context, flagged not sampled); a sampled parent is honoured and exported.
 */
class OtlpSamplingIT {
    private static final String SAMPLED_TRACE = "11112222333344445555666677778888";
    private final Resources resources = new Resources();

    @AfterEach
    void stop() throws Exception {
        resources.close();
    }

    @Test
    void parentBasedRatioSamplingWithOtlpHttpExport() {
        OtlpReceiver receiver = resources.track(OtlpReceiver.start());
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        Tracing tracing = resources.track(Tracing.configure("concierge-users", Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                "OTEL_TRACES_SAMPLER_ARG", "0",
                "OTEL_BSP_SCHEDULE_DELAY", "50")::get));
        GatewayServer g = resources.track(GatewayServer.start(GatewayConfig.parse("users.yaml",
                GatewayTracingIT.yaml(upstream.port()), k -> null), new StaticDiscovery(List.of()), null, tracing));

        assertEquals(200, Http.get(g.port(), "/api/users/1").statusCode());
        String unsampled = upstream.lastRequest().header("traceparent");
        assertTrue(unsampled.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[02]"), "context passed on, not sampled: "
                + unsampled);

        assertEquals(200, Http.get(g.port(), "/api/users/2", "traceparent",
                "00-" + SAMPLED_TRACE + "-" + GatewayTracingIT.PARENT + "-01").statusCode());
        Poll.until("the sampled request's spans exported", Duration.ofSeconds(20),
                () -> receiver.spans().stream().filter(s -> s.traceId().equals(SAMPLED_TRACE)).count() >= 2);
        tracing.flush();
        List<ReceivedSpan> spans = receiver.spans();
        assertEquals(2, spans.size(), "only the sampled trace is exported: " + spans);
        ReceivedSpan server = spans.stream().filter(s -> s.kind() == ReceivedSpan.KIND_SERVER).findFirst().orElseThrow();
        ReceivedSpan client = spans.stream().filter(s -> s.kind() == ReceivedSpan.KIND_CLIENT).findFirst().orElseThrow();
        assertEquals("concierge-users", server.serviceName());
        assertEquals(GatewayTracingIT.PARENT, server.parentSpanId());
        assertEquals(server.spanId(), client.parentSpanId());
        assertEquals("GET /api/users/{id}", server.name());
        assertEquals("/api/users/{id}", server.attributes().get("http.route"));
        assertEquals("backend", client.attributes().get("concierge.upstream.service"));
    }
}
