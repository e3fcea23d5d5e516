package io.concierge.gateway.testing;

import java.util.List;

import io.concierge.gateway.telemetry.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/**
 * An OpenTelemetry SDK whose spans land in the SDK's {@link InMemorySpanExporter}, with the W3C
 * trace-context and baggage propagators, one per server under test (its own service name).
 */
public final class TestTracing implements AutoCloseable {
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk;
    private final Tracing tracing;

    public TestTracing(String serviceName) {
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .setResource(Resource.getDefault().merge(Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), serviceName))))
                .build();
        sdk = OpenTelemetrySdk.builder().setTracerProvider(provider)
                .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
                        W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
                .build();
        tracing = Tracing.of(sdk);
    }

    public Tracing tracing() {
        return tracing;
    }

    public List<SpanData> spans() {
        return exporter.getFinishedSpanItems();
    }

    public List<SpanData> spans(SpanKind kind) {
        return spans().stream().filter(s -> s.getKind() == kind).toList();
    }

    /** Waits until {@code count} spans of {@code kind} have ended (spans end after the response is sent). */
    public List<SpanData> await(SpanKind kind, int count) {
        Poll.until(count + " " + kind + " spans", java.time.Duration.ofSeconds(10), () -> spans(kind).size() >= count);
        return spans(kind);
    }

    public void reset() {
        exporter.reset();
    }

    @Override
    public void close() {
        sdk.close();
    }
}
