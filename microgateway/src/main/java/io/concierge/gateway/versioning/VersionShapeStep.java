package io.concierge.gateway.versioning;

import java.util.ArrayList;
import java.util.List;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.ChainResponse;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.ResponseInterceptor;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.rewrite.PathRewriter;
import io.concierge.gateway.rewrite.RawPath;
import io.concierge.gateway.rewrite.RawQuery;
import io.concierge.gateway.transform.TransformStats;
import io.concierge.gateway.transform.TransformStep;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;

/**
 * The version's share of the request, at the transform position of the chain (after a cache, so a
 * cache keys on the client's URL and stores what this step produced): takes the version selectors out
 * of what goes upstream (the {@code v2} segment, the query parameter), applies the version's own
 * upstream path ({@code rewrite}) and transformation, and names the header selectors in {@code Vary} on every answer whose version a
 * header could have changed, which is every answer not selected by its URL (the URL segment beats
 * the headers; the headers beat the query parameter and the default).
 */
public final class VersionShapeStep implements Step, ResponseInterceptor {
    private final VersioningConfig config;
    private final int urlSegment;
    private final String vary;
    private final TransformStep[] transforms;
    private final PathRewriter[] rewriters;

    public VersionShapeStep(VersioningConfig config, String routeId, TransformStats stats) {
        this.config = config;
        this.urlSegment = new VersionSelector(config).urlSegment();
        List<String> headers = new ArrayList<>();
        if (config.header() != null) {
            headers.add(config.header());
        }
        if (config.mediaType() != null) {
            headers.add("Accept");
        }
        this.vary = headers.isEmpty() ? null : String.join(", ", headers);
        this.transforms = new TransformStep[config.versions().size()];
        this.rewriters = new PathRewriter[transforms.length];
        for (int i = 0; i < transforms.length; i++) {
            VersioningConfig.ApiVersion v = config.versions().get(i);
            transforms[i] = TransformStep.forConfig(routeId + "@v" + v.name(), v.transform(), stats);
            rewriters[i] = v.rewrite().isNone() ? null : new PathRewriter(v.rewrite());
        }
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        SelectedVersion selected = exchange.attribute(SelectedVersion.class);
        if (selected == null) {
            next.proceed(exchange); // assembly puts VersionStep first; nothing to do without it
            return;
        }
        int index = selected.index();
        if (selected.source() == SelectedVersion.Source.URL) {
            exchange.path(withoutSegment(exchange.path(), urlSegment));
        }
        if (rewriters[index] != null) {
            // The version's own upstream path; the route's rewrite (ProxyTarget) applies on top of it.
            exchange.path(RawPath.parse(rewriters[index].rewrite(exchange.path()), true));
        }
        if (config.query() != null) {
            String raw = exchange.upstreamQuery() != null ? exchange.upstreamQuery()
                    : exchange.request().prologue().query().rawValue();
            if (raw.contains(config.query())) {
                exchange.upstreamQuery(RawQuery.without(raw, config.query()));
            }
        }
        if (vary != null && selected.source() != SelectedVersion.Source.URL) {
            exchange.beforeHead(this);
        }
        TransformStep t = transforms[index];
        if (t != null) {
            t.handle(exchange, next);
        } else {
            next.proceed(exchange);
        }
    }

    /** Adds the header selectors to {@code Vary}, after what the upstream named. */
    @Override
    public void beforeHead(Exchange exchange, ChainResponse response) {
        ServerResponseHeaders h = response.headers();
        if (!h.contains(HeaderNames.VARY)) {
            h.set(HeaderNames.VARY, vary);
            return;
        }
        String existing = String.join(", ", h.get(HeaderNames.VARY).allValues());
        if (!existing.trim().equals("*")) {
            h.set(HeaderNames.VARY, existing + ", " + vary);
        }
    }

    /** The path without its segment number {@code index} ({@code /api/v2/products} → {@code /api/products}). */
    static RawPath withoutSegment(RawPath path, int index) {
        List<String> raw = path.rawSegments();
        StringBuilder sb = new StringBuilder(path.raw().length());
        for (int i = 0; i < index; i++) {
            sb.append('/').append(raw.get(i));
        }
        String rest = path.rawSuffix(index + 1);
        sb.append(rest);
        if (sb.isEmpty()) {
            sb.append('/');
        }
        // The segments were admitted already (encoded slashes included where the gateway allows them).
        return RawPath.parse(sb.toString(), true);
    }
}
