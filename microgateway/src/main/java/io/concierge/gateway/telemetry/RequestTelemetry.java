package io.concierge.gateway.telemetry;

import java.util.logging.Level;
import java.util.logging.Logger;

import io.concierge.gateway.pipeline.ClientAddress;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.RequestObserver;
import io.concierge.gateway.pipeline.Identity;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;

/**
 * The telemetry of one request, from {@link Telemetry#begin} to {@link #end}: its server span
 * (current on the handling thread, so client spans become its children), the matched route, the
 * time spent upstream, and at the end the metrics and the access-log line.
 */
public final class RequestTelemetry implements RequestObserver {
    private static final Logger LOG = Logger.getLogger(RequestTelemetry.class.getName());
    private final Telemetry telemetry;
    private final ServerRequest request;
    private final String method;
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private final Span span;
    private Scope scope;
    private String route = HttpMetrics.UNMATCHED;
    private String requestId;
    private Exchange exchange;
    private Throwable error;
    private long upstreamNanos;

    RequestTelemetry(Telemetry telemetry, ServerRequest request, String method, Span span) {
        this.telemetry = telemetry;
        this.request = request;
        this.method = method;
        this.span = span;
    }

    void scope(Scope scope) {
        this.scope = scope;
    }

    public void requestId(String requestId) {
        this.requestId = requestId;
        if (span != null) {
            span.setAttribute(SpanAttributes.REQUEST_ID, requestId);
        }
    }

    /**
     * The matched route's template (gateway) or owning domain (edge): the span is renamed
     * {@code METHOD template} and metrics are labelled with it. Never a raw path.
     */
    public void route(String template) {
        this.route = template;
        if (span != null) {
            String m = HttpMetrics.spanMethod(method);
            span.updateName((m.equals("_OTHER") ? "HTTP" : m) + " " + template);
            span.setAttribute(SpanAttributes.HTTP_ROUTE, template);
        }
    }

    /** The pipeline's exchange, read at the end for the client address and the verified consumer. */
    public void exchange(Exchange exchange) {
        this.exchange = exchange;
    }

    public void failed(Throwable t) {
        if (error == null) {
            error = t;
        }
    }

    /** Synchronized: a composition's parallel calls add their time from several threads. */
    synchronized void addUpstream(long nanos) {
        upstreamNanos += nanos;
    }

    private synchronized long upstreamNanos() {
        return upstreamNanos;
    }

    /** The trace id of this request: its span's, else the incoming {@code traceparent}'s; or null. */
    public String traceId() {
        if (span != null && span.getSpanContext().isValid()) {
            return span.getSpanContext().getTraceId();
        }
        String tp = request.headers().first(Telemetry.TRACEPARENT).orElse(null);
        // version "00": 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>
        if (tp != null && tp.length() >= 55 && tp.charAt(2) == '-' && tp.charAt(35) == '-') {
            String id = tp.substring(3, 35);
            if (id.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')
                    && !id.equals("00000000000000000000000000000000")) {
                return id;
            }
        }
        return null;
    }

    /** Ends the request: always called once, in a finally block on the handling thread. */
    public void end(ServerResponse res) {
        long nanos = System.nanoTime() - startNanos;
        int status = res.status().code();
        if (error != null && !res.isSent()) {
            status = 500;
        }
        try {
            telemetry.metrics().finished(telemetry.metrics().route(route), method, status, nanos);
            if (status >= 500) {
                telemetry.recentErrors().record(startMillis, status, method, request.prologue().uriPath().rawPath(),
                        requestId, route);
            }
            if (span != null) {
                span.setAttribute(SpanAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
                if (exchange != null && exchange.clientIp() != null) {
                    // After the trusted-proxy rule: the original client, not just the socket peer.
                    span.setAttribute(SpanAttributes.CLIENT_ADDRESS, exchange.clientIp());
                }
                if (error != null && status < 500) {
                    // Thrown after the client was answered (a 400/408/413 for its own broken body,
                    // then the connection is closed): worth an event, not a server error.
                    span.recordException(error);
                } else if (error != null) {
                    span.recordException(error);
                    span.setAttribute(SpanAttributes.ERROR_TYPE, error.getClass().getName());
                    span.setStatus(StatusCode.ERROR);
                } else if (status >= 500) {
                    span.setAttribute(SpanAttributes.ERROR_TYPE, Integer.toString(status));
                    span.setStatus(StatusCode.ERROR);
                }
                span.end();
            }
            AccessLog log = telemetry.accessLog();
            if (log != null && log.enabled()) {
                log.write(entry(res, status, nanos));
            }
        } catch (RuntimeException e) {
            // Telemetry must never turn an answered request into a failure: the response is out.
            LOG.log(Level.FINE, "request telemetry failed", e);
        } finally {
            if (scope != null) {
                scope.close();
            }
        }
    }

    private AccessLog.Entry entry(ServerResponse res, int status, long nanos) {
        String client = exchange != null ? exchange.clientIp()
                : ClientAddress.of(request);
        String consumer = null;
        if (exchange != null) {
            Identity id = exchange.attribute(Identity.class);
            if (id != null) {
                consumer = id.consumer() != null ? id.consumer() : id.subject();
            }
        }
        String referer = request.headers().first(HeaderNames.REFERER).orElse(null);
        if (referer != null && referer.indexOf('?') >= 0) {
            referer = referer.substring(0, referer.indexOf('?'));
        }
        return new AccessLog.Entry(startMillis, requestId, traceId(), client, method,
                request.prologue().uriPath().rawPath(), request.prologue().rawProtocol(), route, status,
                res.bytesWritten(), nanos / 1e6, upstreamNanos() / 1e6, consumer, referer,
                request.headers().first(HeaderNames.USER_AGENT).orElse(null));
    }
}
