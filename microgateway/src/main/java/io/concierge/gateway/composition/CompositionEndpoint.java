package io.concierge.gateway.composition;

import java.util.ArrayList;
import java.util.List;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.problem.Problem;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/**
 * One composition, ready to answer: built once at startup, then each request becomes a
 * {@link CompositionRun}. It runs after the endpoint's own pipeline (authentication, rate limits)
 * passed, in place of the proxy.
 */
public final class CompositionEndpoint {
    /** How many compositions deep a request may be (a composition calling one that calls another). */
    static final int MAX_DEPTH = 3;
    static final HeaderName DEPTH = HeaderNames.create("X-Concierge-Composition-Depth");
    private static final List<HeaderName> TRACE = List.of(HeaderNames.create("traceparent"),
            HeaderNames.create("tracestate"), HeaderNames.create("baggage"));

    private final CompositionConfig config;
    private final CompositionClient client;
    private final HeaderName apiKeyHeader;

    /** @param apiKeyHeader the domain's API-key header (forwarded like Authorization), or null */
    public CompositionEndpoint(CompositionConfig config, CompositionClient client, String apiKeyHeader) {
        this.config = config;
        this.client = client;
        this.apiKeyHeader = apiKeyHeader == null ? null : HeaderNames.create(apiKeyHeader);
    }

    public CompositionConfig config() {
        return config;
    }

    public void handle(Exchange exchange) {
        int depth = depth(exchange);
        if (depth < 0 || depth >= MAX_DEPTH) {
            // A 400, not 508: a client can send this header too, and a client's header must not
            // produce a server error. A real loop between gateways surfaces as a 502 at the top.
            Problem.send(exchange.response(), 400, "Bad Request", "compositions may be nested at most " + MAX_DEPTH
                    + " deep (" + DEPTH.defaultCase() + ")", exchange.requestId());
            return;
        }
        new CompositionRun(config, client, exchange, outboundHeaders(exchange, depth + 1)).execute();
    }

    private static int depth(Exchange exchange) {
        String v = exchange.request().headers().first(DEPTH).orElse("0");
        if (v.isEmpty() || v.length() > 2) {
            return -1;
        }
        int depth = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            depth = depth * 10 + (c - '0');
        }
        return depth;
    }

    /**
     * What every call of this request carries: the caller's credentials (each target gateway
     * verifies them itself), trace context, the request id and the client's address, so the
     * target's per-client limits and IP rules see the client, not this gateway.
     */
    private List<String[]> outboundHeaders(Exchange exchange, int depth) {
        List<String[]> h = new ArrayList<>(8);
        var headers = exchange.request().headers();
        for (String v : headers.values(HeaderNames.AUTHORIZATION)) {
            h.add(new String[] {"Authorization", v});
        }
        if (apiKeyHeader != null) {
            for (String v : headers.values(apiKeyHeader)) {
                h.add(new String[] {apiKeyHeader.defaultCase(), v});
            }
        }
        // With tracing on, each call's span writes its own context; without, the caller's passes on.
        for (HeaderName t : client.tracingEnabled() ? List.<HeaderName>of() : TRACE) {
            for (String v : headers.values(t)) {
                h.add(new String[] {t.defaultCase(), v});
            }
        }
        h.add(new String[] {"X-Request-Id", exchange.requestId()});
        h.add(new String[] {"X-Forwarded-For", exchange.clientIp()});
        h.add(new String[] {DEPTH.defaultCase(), String.valueOf(depth)});
        return h;
    }
}
