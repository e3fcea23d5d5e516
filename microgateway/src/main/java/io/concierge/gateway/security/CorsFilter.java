package io.concierge.gateway.security;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Filter;
import io.concierge.gateway.problem.Problem;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * CORS at the edge (Fetch standard, "CORS protocol"). Preflights are answered here (204 when the
 * origin, method and headers are allowed, 403 otherwise) and never reach a gateway. Other requests
 * from an allowed origin get the CORS response headers, also on responses relayed from the
 * gateways, whose own {@code Access-Control-*} headers are dropped: the edge owns the policy. A
 * disallowed origin gets no CORS headers at all, so the browser does not let the page read the
 * response.
 *
 * <p>Why not Helidon's {@code helidon-webserver-cors}: it plugs into Helidon routing as a feature,
 * while the edge's requests go through one handler and the pipeline; the protocol is small enough
 * that implementing it here keeps the whole request path in {@code EdgePipelines}.
 */
final class CorsFilter implements Filter {
    private static final String VARY_PREFLIGHT = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

    private final CorsConfig config;
    private final SecurityStats stats;
    private final String methods;
    private final String maxAge;
    private final String exposed;

    CorsFilter(CorsConfig config, SecurityStats stats) {
        this.config = config;
        this.stats = stats;
        this.methods = String.join(", ", config.allowedMethods());
        this.maxAge = String.valueOf(config.maxAge().toSeconds());
        this.exposed = String.join(", ", config.exposedHeaders());
    }

    @Override
    public boolean apply(Exchange exchange) {
        exchange.upstreamHeaders().dropFromResponse("access-control-");
        ServerRequest req = exchange.request();
        ServerResponse res = exchange.response();
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        boolean preflight = req.prologue().method() == Method.OPTIONS
                && req.headers().contains(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        if (origin == null) {
            return true;
        }
        boolean allowed = config.anyOrigin() || config.allowedOrigins().contains(origin.toLowerCase(Locale.ROOT));
        if (!preflight) {
            res.headers().add(HeaderNames.VARY, "Origin");
            if (allowed) {
                allowOrigin(res, origin);
                if (!config.exposedHeaders().isEmpty()) {
                    res.header(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposed);
                }
            } else {
                stats.corsRefused();
            }
            return true;
        }
        stats.preflight();
        res.headers().add(HeaderNames.VARY, VARY_PREFLIGHT);
        String method = req.headers().first(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD).orElse("").trim();
        Set<String> requested = requestedHeaders(req);
        if (!allowed || !config.allowedMethods().contains(method) || !config.allowedHeaders().containsAll(requested)) {
            stats.corsRefused();
            Problem.send(res, 403, "Forbidden", !allowed ? "this origin may not make cross-origin requests"
                    : "this cross-origin method or header is not allowed", exchange.requestId());
            return false;
        }
        allowOrigin(res, origin);
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, methods);
        if (!requested.isEmpty()) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, String.join(", ", requested));
        }
        res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, maxAge);
        res.status(Status.NO_CONTENT_204);
        res.send();
        return false;
    }

    private void allowOrigin(ServerResponse res, String origin) {
        // With "*" and no credentials the literal "*" is enough; otherwise the one origin is echoed.
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, config.anyOrigin() && !config.allowCredentials() ? "*" : origin);
        if (config.allowCredentials()) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
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
