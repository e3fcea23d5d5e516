package io.concierge.gateway.server;

import java.util.List;
import java.util.Locale;

import io.concierge.gateway.composition.LocalCalls;
import io.concierge.gateway.pipeline.CapturedResponse;
import io.concierge.gateway.pipeline.ClientAddress;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.InMemoryRequest;
import io.concierge.gateway.pipeline.RequestObserver;
import io.concierge.gateway.rewrite.InvalidPathException;
import io.concierge.gateway.rewrite.RawPath;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.WritableHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;

/**
 * A gateway's local composition calls, run in process through its route table
 * ({@link RouteChains#local}): the call becomes an {@link InMemoryRequest} with the call's headers and
 * the client request's connection facts, answered into a {@link CapturedResponse}. No socket, no
 * second pass through the front steps (the client's request passed them), and rate limits count the
 * call once: the route's own limits, keyed by the client (its address resolved by the route's
 * trusted-proxy rule from the client's own peer and forwarding headers, its consumer from its
 * credentials), not the domain's, which counted the client's request already.
 */
final class LocalRouteCalls implements LocalCalls {
    /**
     * Taken from the client's request, not from the call: with them the route resolves the client's
     * address exactly as for the client's direct request, and the service sees the same forwarding chain.
     */
    private static final List<HeaderName> FROM_CLIENT = List.of(HeaderNames.HOST, HeaderNames.X_FORWARDED_FOR,
            HeaderNames.create("X-Forwarded-Proto"), HeaderNames.X_FORWARDED_HOST, HeaderNames.FORWARDED,
            HeaderNames.VIA);
    private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    /** Labels the call's span (current on the calling thread) with the route that served it. */
    private static final RequestObserver ROUTE_ON_SPAN = new RequestObserver() {
        @Override
        public void requestId(String requestId) {
        }

        @Override
        public void route(String template) {
            Span.current().setAttribute(HTTP_ROUTE, template);
        }
    };

    private final Chain routes;
    private final boolean allowEncodedSlash;

    /** @param routes {@link RouteChains#local}: route match, then the matched route's chain */
    LocalRouteCalls(Chain routes, boolean allowEncodedSlash) {
        this.routes = routes;
        this.allowEncodedSlash = allowEncodedSlash;
    }

    @Override
    public Answer get(Exchange caller, String target, List<String[]> headers, long maxBody) {
        WritableHeaders<?> h = WritableHeaders.create();
        for (String[] header : headers) {
            if (!fromClient(header[0])) {
                h.add(HeaderNames.create(header[0]), header[1]);
            }
        }
        for (HeaderName name : FROM_CLIENT) {
            List<String> values = caller.request().headers().values(name);
            if (!values.isEmpty()) {
                h.add(name, values.toArray(String[]::new));
            }
        }
        InMemoryRequest request = new InMemoryRequest(caller.request(), Method.GET, target, h);
        CapturedResponse response = new CapturedResponse(maxBody);
        RawPath path;
        try {
            path = RawPath.parse(request.prologue().uriPath().rawPath(), allowEncodedSlash);
        } catch (InvalidPathException e) {
            // The gateway rendered this target itself, every value percent-encoded: as admission would.
            return new Answer(400, new byte[0], false);
        }
        Exchange exchange = Exchange.localCall(request, response, ROUTE_ON_SPAN, ClientAddress.of(caller.request()),
                caller.requestId());
        exchange.path(path);
        try {
            routes.proceed(exchange);
        } catch (RuntimeException e) {
            if (!response.tooLarge()) {
                throw e;
            }
            // The relay gave up on a body past max-part-size, as on a client that went away.
        }
        return new Answer(response.status().code(), response.body(), response.tooLarge());
    }

    private static boolean fromClient(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (HeaderName h : FROM_CLIENT) {
            if (h.lowerCase().equals(lower)) {
                return true;
            }
        }
        return false;
    }
}
