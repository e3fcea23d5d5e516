package io.concierge.gateway.proxy;

import java.util.Locale;
import java.util.Set;

import io.concierge.gateway.resilience.ResilienceConfig;
import io.concierge.gateway.resilience.ServiceResilience;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The streaming reverse proxy shared by the edge and every gateway: one client request becomes one
 * upstream exchange on a pooled keep-alive connection, bodies streamed both ways.
 *
 * <p>This class is the front: it checks and writes the parts of the request head the client chose,
 * runs the request through an {@link UpstreamStack} (deadline, bulkhead, response relay, retry,
 * breaker and balancer around one {@link UpstreamExchange} per try: a gateway route's is built once
 * by the chain factory, the edge's per call) and lets {@link UpstreamFailures} answer whatever the
 * stack left unanswered.
 *
 * <p>Failure rules: an instance that refuses the connection is skipped for this request (nothing
 * was sent, so any method may go elsewhere); a pooled connection that turns out dead before any
 * response byte is replaced by a fresh one only when the request is idempotent and has no body (or
 * a kept one), and when the instance then refuses, that counts against it and is a failure to retry; a
 * timeout waiting for the response is a 504; anything else before the response head is a 502; a
 * failure after the head was sent aborts the client connection, since the status is already out.
 * With a {@link ServiceResilience} more failures are retried within its budget and deadline: at a
 * gateway those of {@link ResilienceConfig.FailureScope#UPSTREAM}, at the edge only those of
 * {@link ResilienceConfig.FailureScope#CONNECTION}.
 */
public final class ProxyEngine {
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "expect",
            "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded", "via", "x-request-id");

    private static final Set<String> TRACE_HEADERS = Set.of("traceparent", "tracestate", "baggage");

    private final String viaName;
    private final UpstreamObserver observer;
    private final UpstreamExchange exchange;

    /** @param viaName this hop's pseudonym in {@code Via}, e.g. {@code concierge-products} */
    public ProxyEngine(String viaName) {
        this(viaName, UpstreamObserver.NONE);
    }

    /** @param observer sees every try (telemetry: client spans, upstream latency) */
    public ProxyEngine(String viaName, UpstreamObserver observer) {
        this.viaName = viaName;
        this.observer = observer;
        this.exchange = new UpstreamExchange(viaName, observer);
    }

    /** One try against one instance: the bottom of every {@link UpstreamStack} built for this engine. */
    public InstanceExchange exchange() {
        return exchange;
    }

    /**
     * Forwards through a stack composed for this call from its resilience (the edge: the
     * domain's failover policy arrives with each call).
     */
    public void forward(ServerRequest req, ServerResponse res, ProxyCall call) {
        forward(req, res, call, UpstreamStack.forCall(call, exchange));
    }

    /** Forwards through {@code stack}, a route's, built once at load. */
    public void forward(ServerRequest req, ServerResponse res, ProxyCall call, UpstreamStack stack) {
        String requestLine;
        String commonHead;
        try {
            // Everything the client chose is checked here, before an instance is even picked:
            // a refused head never opens a connection, let alone sends a byte.
            requestLine = RequestHeadWriter.requestLine(req.prologue().method().text(), call.target());
            commonHead = commonHead(req, call.requestId(), call.changes());
        } catch (UnsafeRequestHeadException e) {
            UpstreamFailures.unsafeHead(res, call, e);
            return;
        }
        UpstreamRequest request = UpstreamRequest.of(req, res, call, requestLine, commonHead);
        ExchangeOutcome outcome = stack.call(request);
        // What is left unanswered was decided outside the relay: a full bulkhead.
        UpstreamFailures.answer(res, call, outcome);
    }

    private String commonHead(ServerRequest req, String requestId, UpstreamHeaders changes)
            throws UnsafeRequestHeadException {
        HopByHop hop = HopByHop.of(HeaderValuesOf.of(req.headers(), HeaderNames.CONNECTION));
        RequestHeadWriter sb = new RequestHeadWriter(512);
        for (Header h : req.headers()) {
            String lower = h.name().toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(lower) || hop.isHopByHop(lower) || changes != null && changes.isRemoved(lower)
                    || observer.replacesTraceHeaders() && TRACE_HEADERS.contains(lower)) {
                continue;
            }
            for (String v : h.allValues()) {
                sb.header(h.name(), v);
            }
        }
        if (changes != null) {
            for (String[] h : changes.added()) {
                sb.header(h[0], h[1]);
            }
        }
        ForwardedHeaders.append(sb, req, viaName, changes);
        sb.header("X-Request-Id", requestId);
        return sb.lines();
    }
}
