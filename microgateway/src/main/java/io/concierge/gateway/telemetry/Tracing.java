package io.concierge.gateway.telemetry;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerRequestHeaders;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;

/**
 * Distributed tracing of one server with the OpenTelemetry SDK: W3C trace context and baggage taken
 * from each request, a SERVER span per request and a CLIENT span per upstream try whose context
 * goes upstream in the request head.
 *
 * <p>Off unless an OTLP endpoint is configured ({@code OTEL_EXPORTER_OTLP_ENDPOINT} or
 * {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}): then no span is made, nothing is exported, and trace
 * headers pass through the proxy untouched, so the hop is invisible but does not break a trace.
 * The collector is fail-open: the SDK's batch processor drops spans it cannot send (and logs it)
 * rather than slow requests down, since traces are diagnostics, not part of the answer.
 */
public final class Tracing implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Tracing.class.getName());
    private static final Tracing DISABLED = new Tracing(OpenTelemetry.noop(), false, null);
    private static final Map<String, HeaderName> PROPAGATION_HEADERS = Map.of(
            "traceparent", HeaderNames.create("traceparent"),
            "tracestate", HeaderNames.create("tracestate"),
            "baggage", HeaderNames.create("baggage"));
    private static final TextMapGetter<ServerRequestHeaders> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(ServerRequestHeaders carrier) {
            List<String> names = new java.util.ArrayList<>();
            for (Header h : carrier) {
                names.add(h.name());
            }
            return names;
        }

        @Override
        public String get(ServerRequestHeaders carrier, String key) {
            if (carrier == null) {
                return null;
            }
            HeaderName name = PROPAGATION_HEADERS.get(key);
            return carrier.first(name != null ? name : HeaderNames.create(key)).orElse(null);
        }
    };

    private final OpenTelemetry otel;
    private final boolean enabled;
    private final OpenTelemetrySdk owned;
    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private Tracing(OpenTelemetry otel, boolean enabled, OpenTelemetrySdk owned) {
        this.otel = otel;
        this.enabled = enabled;
        this.owned = owned;
        this.tracer = otel.getTracer("io.concierge.gateway");
        this.propagator = otel.getPropagators().getTextMapPropagator();
    }

    /** No spans, no export, trace headers forwarded untouched. */
    public static Tracing disabled() {
        return DISABLED;
    }

    /** Traces with an SDK the caller built and owns (tests: an in-memory exporter). */
    public static Tracing of(OpenTelemetry otel) {
        return new Tracing(otel, true, null);
    }

    /** From the process's {@code OTEL_*} environment variables and {@code otel.*} system properties. */
    public static Tracing fromEnvironment(String defaultServiceName) {
        Map<String, String> settings = new HashMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("OTEL_")) {
                settings.put(k, v);
            }
        });
        System.getProperties().forEach((k, v) -> {
            String key = String.valueOf(k);
            if (key.startsWith("otel.")) {
                settings.put(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), String.valueOf(v));
            }
        });
        return configure(defaultServiceName, settings::get);
    }

    /**
     * From {@code OTEL_*} settings, as the SDK's autoconfiguration reads them (sampler, exporter
     * endpoint, protocol, headers, batch settings, resource). Tracing is off when no OTLP endpoint
     * is set, when {@code OTEL_SDK_DISABLED=true} or when {@code OTEL_TRACES_EXPORTER=none}.
     * Defaults that differ from the SDK's: protocol {@code http/protobuf}, sampler
     * {@code parentbased_traceidratio} with ratio 1.0, no OTel metrics or logs export (metrics are
     * scraped from {@code /metrics}).
     */
    public static Tracing configure(String defaultServiceName, Function<String, String> settings) {
        if ("true".equalsIgnoreCase(settings.apply("OTEL_SDK_DISABLED"))
                || "none".equalsIgnoreCase(settings.apply("OTEL_TRACES_EXPORTER"))
                || settings.apply("OTEL_EXPORTER_OTLP_ENDPOINT") == null
                && settings.apply("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == null) {
            return DISABLED;
        }
        Map<String, String> props = new HashMap<>();
        props.put("otel.traces.exporter", "otlp");
        props.put("otel.metrics.exporter", "none");
        props.put("otel.logs.exporter", "none");
        props.put("otel.exporter.otlp.protocol", "http/protobuf");
        props.put("otel.traces.sampler", "parentbased_traceidratio");
        props.put("otel.traces.sampler.arg", "1.0");
        props.put("otel.service.name", defaultServiceName);
        for (String name : List.of("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL",
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
                "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_COMPRESSION",
                "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
                "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_PROPAGATORS", "OTEL_BSP_SCHEDULE_DELAY",
                "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "OTEL_BSP_EXPORT_TIMEOUT",
                "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT")) {
            String v = settings.apply(name);
            if (v != null) {
                props.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        }
        if (settings.apply("OTEL_SERVICE_NAME") == null && settings.apply("OTEL_RESOURCE_ATTRIBUTES") != null
                && settings.apply("OTEL_RESOURCE_ATTRIBUTES").contains("service.name=")) {
            props.remove("otel.service.name");
        }
        OpenTelemetrySdk sdk;
        try {
            sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> props)
                    .disableShutdownHook()
                    .build()
                    .getOpenTelemetrySdk();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid OpenTelemetry settings (OTEL_*): " + e.getMessage(), e);
        }
        LOG.info(() -> "tracing: exporting to " + (props.containsKey("otel.exporter.otlp.traces.endpoint")
                ? props.get("otel.exporter.otlp.traces.endpoint") : props.get("otel.exporter.otlp.endpoint"))
                + " over " + props.getOrDefault("otel.exporter.otlp.traces.protocol",
                props.get("otel.exporter.otlp.protocol")));
        return new Tracing(sdk, true, sdk);
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * Starts a CLIENT span for an outbound call that the proxy does not make itself (composition,
     * calls to other gateways), as a child of {@code parent}. Parallel calls of one request each get
     * their own span under the same parent: capture {@code Context.current()} on the request's
     * thread and pass it to the tasks.
     *
     * @param method HTTP method, which is also the span name
     * @param url    the URL called, without query (query strings can carry credentials)
     * @param service the logical target (a service or domain name), for {@code concierge.upstream.service}
     */
    public ClientSpan clientCall(Context parent, String method, String host, int port, String url, String service) {
        if (!enabled) {
            return ClientSpan.NOOP;
        }
        // As for SERVER spans: a method the client invented must not become a span name.
        String known = HttpMetrics.spanMethod(method);
        var builder = tracer.spanBuilder(known.equals("_OTHER") ? "HTTP" : known).setSpanKind(SpanKind.CLIENT)
                .setParent(parent);
        if (known.equals("_OTHER")) {
            builder.setAttribute(SpanAttributes.HTTP_REQUEST_METHOD_ORIGINAL, method);
        }
        Span span = builder
                .setAttribute(SpanAttributes.HTTP_REQUEST_METHOD, known)
                .setAttribute(SpanAttributes.SERVER_ADDRESS, host)
                .setAttribute(SpanAttributes.SERVER_PORT, (long) port)
                .setAttribute(SpanAttributes.NETWORK_PEER_ADDRESS, host)
                .setAttribute(SpanAttributes.NETWORK_PEER_PORT, (long) port)
                .setAttribute(SpanAttributes.URL_FULL, url)
                .setAttribute(SpanAttributes.UPSTREAM_SERVICE, service)
                .startSpan();
        return new ClientSpan(span, parent.with(span), propagator);
    }

    /**
     * Starts an INTERNAL span around a composition call that runs in process through a route of
     * this gateway (no socket, so no CLIENT span): a child of {@code parent}, and the parent of the
     * spans of whatever the route calls; make its {@link ClientSpan#context()} current around the call.
     *
     * @param call  the call's name in the composition (the span name is {@code composition call <name>})
     * @param label the part, {@code product[2]} for a fan-out element
     */
    public ClientSpan localCall(Context parent, String call, String label) {
        if (!enabled) {
            return ClientSpan.NOOP;
        }
        Span span = tracer.spanBuilder("composition call " + call).setSpanKind(SpanKind.INTERNAL).setParent(parent)
                .setAttribute(SpanAttributes.COMPOSITION_PART, label)
                .startSpan();
        return new ClientSpan(span, parent.with(span), propagator);
    }

    /** {@link #clientCall(Context, String, String, int, String, String)} under the current context. */
    public ClientSpan clientCall(String method, String host, int port, String url, String service) {
        return clientCall(Context.current(), method, host, port, url, service);
    }

    /** The context a request arrived with (W3C trace context and baggage), root when tracing is off. */
    Context extract(ServerRequestHeaders headers) {
        if (!enabled) {
            return Context.root();
        }
        return propagator.extract(Context.root(), headers, HEADERS);
    }

    SpanBuilder serverSpan(String name, Context parent) {
        return tracer.spanBuilder(name).setSpanKind(SpanKind.SERVER).setParent(parent);
    }

    /** Sends what is buffered; for tests and shutdown. */
    public void flush() {
        if (owned != null) {
            owned.getSdkTracerProvider().forceFlush().join(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        if (owned != null && closed.compareAndSet(false, true)) {
            try {
                owned.shutdown().join(5, TimeUnit.SECONDS);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "tracing shutdown failed", e);
            }
        }
    }
}
