package io.concierge.gateway.proxy;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    private final ViaEntries via;
    private final UpstreamObserver observer;
    private final UpstreamExchange exchange;
    /**
     * The stacks of calls whose policy arrives with them (the edge: one failover state per domain,
     * which lives as long as the edge), composed on the first call with that policy rather than on
     * every call: a stack holds configuration only, so one serves every call with the same policy.
     * Keyed by the policy object itself; callers pass long-lived ones, so this stays as small as the
     * number of domains.
     */
    private final Map<ServiceResilience, UpstreamStack> callStacks = new ConcurrentHashMap<>();
    private final UpstreamStack withoutResilience;

    /** @param viaName this hop's pseudonym in {@code Via}, e.g. {@code concierge-products} */
    public ProxyEngine(String viaName) {
        this(viaName, UpstreamObserver.NONE);
    }

    /** @param observer sees every try (telemetry: client spans, upstream latency) */
    public ProxyEngine(String viaName, UpstreamObserver observer) {
        this.via = new ViaEntries(viaName);
        this.observer = observer;
        this.exchange = new UpstreamExchange(viaName, observer);
        this.withoutResilience = UpstreamStack.forCall(null, exchange);
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
        forward(req, res, call, stackFor(call.resilience()));
    }

    private UpstreamStack stackFor(ServiceResilience rz) {
        if (rz == null) {
            return withoutResilience;
        }
        UpstreamStack stack = callStacks.get(rz);
        if (stack == null) {
            UpstreamStack built = UpstreamStack.forCall(rz, exchange);
            stack = callStacks.putIfAbsent(rz, built);
            if (stack == null) {
                stack = built;
            }
        }
        return stack;
    }

    /** Forwards through {@code stack}, a route's, built once at load. */
    public void forward(ServerRequest req, ServerResponse res, ProxyCall call, UpstreamStack stack) {
        // Sized for the client's lines plus the ~250 bytes of forwarding lines added below, rather
        // than a fixed 512 that most requests (a handful of headers) leave half empty; the
        // connection's array from its previous request when that is large enough.
        RequestHeadWriter commonHead = RequestHeadWriter.borrow(256 + 48 * Math.min(req.headers().size(), 64));
        try {
            String requestLine;
            try {
                // Everything the client chose is checked here, before an instance is even picked:
                // a refused head never opens a connection, let alone sends a byte.
                requestLine = RequestHeadWriter.requestLine(req.prologue().method().text(), call.target());
                commonHead(commonHead, req, call.requestId(), call.changes());
            } catch (UnsafeRequestHeadException e) {
                UpstreamFailures.unsafeHead(res, call, e);
                return;
            }
            UpstreamRequest request = UpstreamRequest.of(req, res, call, requestLine, commonHead);
            ExchangeOutcome outcome = stack.call(request);
            // What is left unanswered was decided outside the relay: a full bulkhead.
            UpstreamFailures.answer(res, call, outcome);
        } finally {
            commonHead.release(); // every try of the exchange is over
        }
    }

    private void commonHead(RequestHeadWriter sb, ServerRequest req, String requestId, UpstreamHeaders changes)
            throws UnsafeRequestHeadException {
        HopByHop hop = HopByHop.of(HeaderValuesOf.of(req.headers(), HeaderNames.CONNECTION));
        for (Header h : req.headers()) {
            // Helidon keeps every header name's lower case: no lower-cased copy per header.
            String lower = h.headerName().lowerCase();
            if (NOT_FORWARDED.contains(lower) || hop.isHopByHop(lower) || changes != null && changes.isRemoved(lower)
                    || observer.replacesTraceHeaders() && TRACE_HEADERS.contains(lower)) {
                continue;
            }
            if (h.valueCount() == 1) {
                // The usual single field line: its value without the list allValues() would build.
                sb.header(h.name(), h.get());
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
        ForwardedHeaders.append(sb, req, via, changes);
        sb.header("X-Request-Id", requestId);
    }
}
