package io.concierge.gateway.versioning;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.ChainResponse;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.ResponseInterceptor;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.problem.Problem;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/**
 * Selects the API version of a request of a versioned route ({@link VersionSelector}): an
 * unsupported version is answered with 400 problem+json listing the supported ones; otherwise the
 * selection is left on the exchange for {@link VersionShapeStep}, counted, and a deprecated
 * version's answers get {@code Deprecation}, {@code Sunset} and the successor {@code Link}.
 * Runs before a cache, so a cached answer of a deprecated version still carries the signals.
 */
public final class VersionStep implements Step {
    static final HeaderName DEPRECATION = HeaderNames.create("Deprecation");
    static final HeaderName SUNSET = HeaderNames.create("Sunset");
    private static final String PROBLEM_TYPE = "https://concierge.dev/problems/unsupported-api-version";

    private final VersioningConfig config;
    private final VersionSelector selector;
    private final LongAdder[] counts;
    private final Signals[] signals;
    private final LongAdder unsupported;

    public VersionStep(VersioningConfig config, VersionStats stats) {
        this.config = config;
        this.selector = new VersionSelector(config);
        List<VersioningConfig.ApiVersion> versions = config.versions();
        this.counts = new LongAdder[versions.size()];
        this.signals = new Signals[versions.size()];
        for (int i = 0; i < versions.size(); i++) {
            VersioningConfig.ApiVersion v = versions.get(i);
            counts[i] = stats.requests(config.id(), v.name(), v.deprecation() != null);
            signals[i] = v.deprecation() == null ? null : new Signals(v.deprecation());
        }
        this.unsupported = stats.unsupported(config.id());
    }

    VersionSelector selector() {
        return selector;
    }

    /**
     * The position in its group's {@code versions} of the version {@code exchange} selected, or -1
     * when no {@code VersionStep} ran for it (the route's backend picks its target by it).
     */
    public static int selectedIndex(Exchange exchange) {
        SelectedVersion s = exchange.attribute(SelectedVersion.class);
        return s == null ? -1 : s.index();
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        Object choice = selector.select(exchange.path().segments(), exchange.request().headers(),
                exchange.request().prologue().query().rawValue());
        if (choice instanceof VersionSelector.Unsupported u) {
            unsupported.increment();
            List<String> names = config.names();
            String asked = u.asked().length() > 32 ? u.asked().substring(0, 32) + "…" : u.asked();
            Problem.send(exchange.response(), PROBLEM_TYPE, 400, "Unsupported API version",
                    "API version '" + asked + "' is not supported; supported versions: " + String.join(", ", names)
                            + " (default " + config.defaultVersion() + ")",
                    exchange.requestId(), node -> names.forEach(node.putArray("supportedVersions")::add));
            return;
        }
        SelectedVersion selected = (SelectedVersion) choice;
        int i = selected.index();
        counts[i].increment();
        exchange.attribute(SelectedVersion.class, selected);
        if (signals[i] != null) {
            exchange.beforeHead(signals[i]);
        }
        next.proceed(exchange);
    }

    /** The deprecation signals of one version, built at load; stateless per request. */
    private final class Signals implements ResponseInterceptor {
        private final String deprecation;
        private final String sunset;
        private final VersioningConfig.Deprecation d;

        Signals(VersioningConfig.Deprecation d) {
            this.d = d;
            this.deprecation = "@" + d.since().getEpochSecond();
            this.sunset = d.sunset() == null ? null
                    : DateTimeFormatter.RFC_1123_DATE_TIME.format(d.sunset().atOffset(ZoneOffset.UTC));
        }

        @Override
        public void beforeHead(Exchange exchange, ChainResponse response) {
            response.headers().set(DEPRECATION, deprecation);
            if (sunset != null) {
                response.headers().set(SUNSET, sunset);
            }
            String link = d.link() != null ? d.link() : d.successor() != null ? successorPath(exchange) : null;
            if (link != null) {
                response.headers().add(HeaderNames.LINK, "<" + link + ">; rel=\"successor-version\"");
            }
        }

        /** The request's own path (as sent) at the successor version: {@code /api/v1/products/5} → {@code /api/v2/products/5}. */
        private String successorPath(Exchange exchange) {
            String raw = exchange.request().prologue().uriPath().rawPath();
            int segment = selector.urlSegment();
            // Find where segment number `segment` starts in the raw path.
            int at = 0;
            for (int s = 0; s < segment && at >= 0; s++) {
                at = raw.indexOf('/', at + 1);
            }
            if (at < 0) {
                return null;
            }
            SelectedVersion sel = exchange.attribute(SelectedVersion.class);
            int rest = at;
            if (sel != null && sel.source() == SelectedVersion.Source.URL) {
                int end = raw.indexOf('/', at + 1);
                rest = end < 0 ? raw.length() : end;
            }
            return raw.substring(0, at) + "/v" + d.successor() + raw.substring(rest);
        }
    }
}
