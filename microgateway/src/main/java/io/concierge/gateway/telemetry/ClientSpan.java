package io.concierge.gateway.telemetry;

import java.util.function.BiConsumer;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;

/**
 * A CLIENT span around one outbound call, from {@link Tracing#clientCall}. Use it in
 * try-with-resources: write its headers into the outgoing request with {@link #inject}, report the
 * status or the failure, and {@link #close()} ends it. With tracing off it is a shared no-op.
 */
public class ClientSpan implements AutoCloseable {
    static final ClientSpan NOOP = new ClientSpan(null, null, null);

    private final Span span;
    private final Context context;
    private final TextMapPropagator propagator;
    private boolean failed;

    ClientSpan(Span span, Context context, TextMapPropagator propagator) {
        this.span = span;
        this.context = context;
        this.propagator = propagator;
    }

    /** Writes {@code traceparent}, {@code tracestate} and {@code baggage} through {@code header}. */
    public void inject(BiConsumer<String, String> header) {
        if (span != null) {
            propagator.inject(context, header, (carrier, k, v) -> carrier.accept(k, v));
        }
    }

    /** The response status; 4xx and 5xx mark the span as failed (client-side semantic conventions). */
    public void status(int status) {
        if (span != null) {
            span.setAttribute(SpanAttributes.HTTP_RESPONSE_STATUS_CODE, status);
            if (status >= 400 && !failed) {
                failed = true;
                span.setAttribute(SpanAttributes.ERROR_TYPE, Integer.toString(status));
                span.setStatus(StatusCode.ERROR);
            }
        }
    }

    /** The instance that answered, when it was chosen after the span started (balanced calls). */
    public void peer(String host, int port) {
        if (span != null) {
            span.setAttribute(SpanAttributes.SERVER_ADDRESS, host);
            span.setAttribute(SpanAttributes.SERVER_PORT, (long) port);
            span.setAttribute(SpanAttributes.NETWORK_PEER_ADDRESS, host);
            span.setAttribute(SpanAttributes.NETWORK_PEER_PORT, (long) port);
        }
    }

    /** The call failed without a response; only the first failure is recorded. */
    public void failed(Throwable error) {
        if (span != null && !failed) {
            failed = true;
            span.setAttribute(SpanAttributes.ERROR_TYPE, error.getClass().getName());
            span.recordException(error);
            span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
        }
    }

    /** The span's context, e.g. to make it current while a nested call runs; root when tracing is off. */
    public Context context() {
        return context != null ? context : Context.root();
    }

    /** The trace id, or null when tracing is off or the call is not sampled. */
    public String traceId() {
        return span != null && span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : null;
    }

    @Override
    public void close() {
        if (span != null) {
            span.end();
        }
    }
}
