package io.concierge.edge.protection;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.ChainResponse;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.ResponseInterceptor;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.security.SecurityStats;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;

/**
 * CORS at the edge (Fetch standard, "CORS protocol"). Preflights are answered here (204 when the
 * origin, method and headers are allowed, 403 otherwise) and never reach a gateway. Other requests
 * from an allowed origin get the CORS response headers, also on responses relayed from the
 * gateways, whose own {@code Access-Control-*} headers are dropped: the edge owns the policy. A
 * disallowed origin gets no CORS headers at all, so the browser does not let the page read the
 * response.
 *
 * <p>A response-side step: for requests it passes on it works on the answer of the steps after it,
 * just before that answer's head is written (drop the upstream's {@code Access-Control-*}, add its
 * own). It registers itself, so this costs no allocation per request.
 *
 * <p>Why not Helidon's {@code helidon-webserver-cors}: it plugs into Helidon routing as a feature,
 * while the edge's requests go through one chain; the protocol is small enough that implementing
 * it here keeps the whole request path in {@code RouteChains}.
 */
public final class CorsStep implements Step, ResponseInterceptor {
    private static final String VARY_PREFLIGHT = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
    private static final String ACCESS_CONTROL = "access-control-";

    private final CorsConfig config;
    private final SecurityStats stats;
    private final String methods;
    private final String maxAge;
    private final String exposed;

    public CorsStep(CorsConfig config, SecurityStats stats) {
        this.config = config;
        this.stats = stats;
        this.methods = String.join(", ", config.allowedMethods());
        this.maxAge = String.valueOf(config.maxAge().toSeconds());
        this.exposed = String.join(", ", config.exposedHeaders());
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        ServerRequest req = exchange.request();
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        boolean preflight = req.prologue().method() == Method.OPTIONS
                && req.headers().contains(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        if (origin == null || !preflight) {
            if (origin != null && !allowed(origin)) {
                stats.corsRefused();
            }
            exchange.beforeHead(this);
            next.proceed(exchange);
            return;
        }
        ChainResponse res = exchange.response();
        stats.preflight();
        res.headers().add(HeaderNames.VARY, VARY_PREFLIGHT);
        String method = req.headers().first(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD).orElse("").trim();
        Set<String> requested = requestedHeaders(req);
        boolean allowed = allowed(origin);
        if (!allowed || !config.allowedMethods().contains(method) || !config.allowedHeaders().containsAll(requested)) {
            stats.corsRefused();
            Problem.send(res, 403, "Forbidden", !allowed ? "this origin may not make cross-origin requests"
                    : "this cross-origin method or header is not allowed", exchange.requestId());
            return;
        }
        allowOrigin(res.headers(), origin);
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, methods);
        if (!requested.isEmpty()) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, String.join(", ", requested));
        }
        res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, maxAge);
        res.status(Status.NO_CONTENT_204);
        res.send();
    }

    /** On the answer to a request that is not a preflight: the edge's CORS headers, nobody else's. */
    @Override
    public void beforeHead(Exchange exchange, ChainResponse response) {
        ServerResponseHeaders headers = response.headers();
        dropAccessControl(headers);
        String origin = exchange.request().headers().first(HeaderNames.ORIGIN).orElse(null);
        if (origin == null) {
            return;
        }
        headers.add(HeaderNames.VARY, "Origin");
        if (allowed(origin)) {
            allowOrigin(headers, origin);
            if (!config.exposedHeaders().isEmpty()) {
                headers.set(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposed);
            }
        }
    }

    private boolean allowed(String origin) {
        return config.anyOrigin() || config.allowedOrigins().contains(origin.toLowerCase(Locale.ROOT));
    }

    /** Removes the upstream's {@code Access-Control-*}; allocates only when there are any. */
    private static void dropAccessControl(ServerResponseHeaders headers) {
        List<HeaderName> found = null;
        for (Header h : headers) {
            String name = h.headerName().lowerCase();
            if (name.startsWith(ACCESS_CONTROL)) {
                if (found == null) {
                    found = new java.util.ArrayList<>(4);
                }
                found.add(h.headerName());
            }
        }
        if (found != null) {
            for (HeaderName n : found) {
                headers.remove(n);
            }
        }
    }

    private void allowOrigin(ServerResponseHeaders headers, String origin) {
        // With "*" and no credentials the literal "*" is enough; otherwise the one origin is echoed.
        headers.set(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, config.anyOrigin() && !config.allowCredentials() ? "*" : origin);
        if (config.allowCredentials()) {
            headers.set(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
    }

    private static Set<String> requestedHeaders(ServerRequest req) {
        Set<String> names = new LinkedHashSet<>();
        for (String v : req.headers().values(HeaderNames.ACCESS_CONTROL_REQUEST_HEADERS)) {
            for (String n : v.split(",")) {
                String t = n.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    names.add(t);
                }
            }
        }
        return names;
    }
}
