package io.concierge.gateway.telemetry;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.concierge.gateway.proxy.UpstreamObserver;
import io.concierge.gateway.pipeline.ClientAddress;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;

/**
 * The telemetry of one server (the edge or a gateway), built once at startup: tracing, request and
 * upstream metrics, the access log, and the other features' metric sources for {@code /metrics}.
 * It is also the proxy's {@link UpstreamObserver}: one client span and one upstream timing per try.
 */
public final class Telemetry implements UpstreamObserver, AutoCloseable {
    static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");
    private static final ContextKey<RequestTelemetry> REQUEST = ContextKey.named("concierge.request");

    private final String server;
    private final Tracing tracing;
    private final boolean ownsTracing;
    private final HttpMetrics metrics = new HttpMetrics();
    private final RecentErrors recentErrors = new RecentErrors();
    private final AccessLog accessLog;
    private final List<MetricsSource> sources = new CopyOnWriteArrayList<>();

    /**
     * @param server      {@code edge} or the gateway's domain, for the access log
     * @param ownsTracing whether {@link #close()} shuts the tracing SDK down
     */
    public Telemetry(String server, Tracing tracing, boolean ownsTracing, AccessLogConfig accessLog) {
        this.server = server;
        this.tracing = tracing;
        this.ownsTracing = ownsTracing;
        this.accessLog = accessLog.enabled() ? new AccessLog(accessLog.format(), server) : null;
        sources.add(metrics);
    }

    public Tracing tracing() {
        return tracing;
    }

    /** The last server errors answered (admin section {@code errors}). */
    public RecentErrors recentErrors() {
        return recentErrors;
    }

    HttpMetrics metrics() {
        return metrics;
    }

    AccessLog accessLog() {
        return accessLog;
    }

    public void addMetrics(MetricsSource source) {
        sources.add(source);
    }

    /** The whole {@code /metrics} page: this server's families, then the JVM's and the process's. */
    public String scrape() {
        PrometheusText out = new PrometheusText();
        for (MetricsSource s : sources) {
            s.write(out);
        }
        return out + JvmMetrics.scrape();
    }

    /**
     * Starts a request's telemetry: takes the incoming trace context, starts the SERVER span (when
     * tracing is on) and makes it current. The caller must call {@link RequestTelemetry#end} in a
     * finally block on the same thread.
     */
    public RequestTelemetry begin(ServerRequest req) {
        String method = req.prologue().method().text();
        Span span = null;
        Context parent = Context.root();
        if (tracing.enabled()) {
            parent = tracing.extract(req.headers());
            String path = req.prologue().uriPath().rawPath();
            String spanMethod = HttpMetrics.spanMethod(method);
            var b = tracing.serverSpan(spanMethod.equals("_OTHER") ? "HTTP" : spanMethod, parent)
                    .setAttribute(SpanAttributes.HTTP_REQUEST_METHOD, spanMethod)
                    .setAttribute(SpanAttributes.URL_PATH, path)
                    .setAttribute(SpanAttributes.URL_SCHEME, req.isSecure() ? "https" : "http")
                    .setAttribute(SpanAttributes.NETWORK_PROTOCOL_VERSION, req.prologue().protocolVersion())
                    .setAttribute(SpanAttributes.COMPONENT, server);
            if (req.localPeer().address() instanceof InetSocketAddress local) {
                b.setAttribute(SpanAttributes.SERVER_PORT, (long) local.getPort());
            }
            String host = req.authority();
            if (host != null && !host.isEmpty()) {
                int colon = host.lastIndexOf(':');
                b.setAttribute(SpanAttributes.SERVER_ADDRESS, colon > 0 && host.indexOf(']') < colon
                        ? host.substring(0, colon) : host);
            }
            if (req.remotePeer().address() instanceof InetSocketAddress peer) {
                b.setAttribute(SpanAttributes.NETWORK_PEER_ADDRESS, ClientAddress.of(req));
                b.setAttribute(SpanAttributes.NETWORK_PEER_PORT, (long) peer.getPort());
            }
            req.headers().first(HeaderNames.USER_AGENT).ifPresent(ua -> b.setAttribute(SpanAttributes.USER_AGENT, ua));
            if (spanMethod.equals("_OTHER")) {
                b.setAttribute(SpanAttributes.HTTP_REQUEST_METHOD_ORIGINAL, method);
            }
            span = b.startSpan();
        }
        metrics.started();
        RequestTelemetry t = new RequestTelemetry(this, req, method, span);
        Context ctx = span == null ? parent.with(REQUEST, t) : parent.with(span).with(REQUEST, t);
        t.scope(ctx.makeCurrent());
        return t;
    }

    /**
     * Runs {@code handling} for one request inside its telemetry ({@link #begin} before, {@link
     * RequestTelemetry#end} after), so the server span, metrics and access log see every answer,
     * a thrown failure included; {@code handling} fills in the request id, route and exchange.
     */
    public void observe(ServerRequest req, ServerResponse res, Handling handling) {
        RequestTelemetry t = begin(req);
        try {
            handling.handle(req, res, t);
        } catch (RuntimeException | Error e) {
            t.failed(e);
            throw e;
        } finally {
            t.end(res);
        }
    }

    /**
     * What {@link #observe} runs: given the request and response again, so a handler passes itself
     * rather than a lambda that captures them, which would be one more object per request.
     */
    @FunctionalInterface
    public interface Handling {
        void handle(ServerRequest req, ServerResponse res, RequestTelemetry telemetry);
    }

    // ---- UpstreamObserver: one client span and one timing per upstream try ----

    @Override
    public Attempt start(String service, String method, String host, int port, String target) {
        int q = target.indexOf('?');
        String url = tracing.enabled() ? "http://" + host + ":" + port + (q >= 0 ? target.substring(0, q) : target)
                : null;
        ClientSpan span = tracing.clientCall(method, host, port, url, service);
        return new UpstreamAttempt(service, span, Context.current().get(REQUEST));
    }

    @Override
    public boolean replacesTraceHeaders() {
        return tracing.enabled();
    }

    private final class UpstreamAttempt implements Attempt {
        private final long start = System.nanoTime();
        private final String service;
        private final ClientSpan span;
        private final RequestTelemetry request;
        private int status = -1;

        UpstreamAttempt(String service, ClientSpan span, RequestTelemetry request) {
            this.service = service;
            this.span = span;
            this.request = request;
        }

        @Override
        public String headers() {
            if (span == ClientSpan.NOOP) {
                return "";
            }
            StringBuilder sb = new StringBuilder(128);
            span.inject((name, value) -> sb.append(name).append(": ").append(value).append("\r\n"));
            return sb.toString();
        }

        @Override
        public void status(int status) {
            this.status = status;
            span.status(status);
        }

        @Override
        public void failed(Throwable error) {
            span.failed(error);
        }

        @Override
        public void end() {
            long nanos = System.nanoTime() - start;
            metrics.upstream(service, status, nanos);
            if (request != null) {
                request.addUpstream(nanos);
            }
            span.close();
        }
    }

    @Override
    public void close() {
        if (ownsTracing) {
            tracing.close();
        }
    }
}
