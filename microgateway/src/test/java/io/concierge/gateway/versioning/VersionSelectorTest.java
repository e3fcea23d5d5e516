package io.concierge.gateway.versioning;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.rewrite.RewriteConfig;
import io.concierge.gateway.transform.TransformConfig;
import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The unit tier of version selection: the precedence and the parsing of each selector, no socket. */
class VersionSelectorTest {
    private static final VersioningConfig GROUP = new VersioningConfig("catalog", List.of("list"), "1", "/api",
            "API-Version", "application/vnd.concierge.v{version}+json", "version", List.of(
            new VersioningConfig.ApiVersion("1", null, TransformConfig.NONE, RewriteConfig.NONE, null),
            new VersioningConfig.ApiVersion("2", null, TransformConfig.NONE, RewriteConfig.NONE, null),
            new VersioningConfig.ApiVersion("2.1", null, TransformConfig.NONE, RewriteConfig.NONE, null)));
    private static final VersionSelector SELECTOR = new VersionSelector(GROUP);

    private static String select(String path, String query, String... headerPairs) {
        WritableHeaders<?> h = WritableHeaders.create();
        for (int i = 0; i < headerPairs.length; i += 2) {
            h.add(HeaderNames.create(headerPairs[i]), headerPairs[i + 1]);
        }
        List<String> segments = List.of(path.substring(1).split("/"));
        Object r = SELECTOR.select(segments, h, query);
        return switch (r) {
            case SelectedVersion s -> s.version().name() + " by " + s.source();
            case VersionSelector.Unsupported u -> "unsupported '" + u.asked() + "'";
            default -> throw new AssertionError(r);
        };
    }

    @Test
    void eachSelectorAlone() {
        assertEquals("1 by DEFAULT", select("/api/products", ""));
        assertEquals("2 by URL", select("/api/v2/products", ""));
        assertEquals("2.1 by URL", select("/api/v2.1/products", ""));
        assertEquals("2 by HEADER", select("/api/products", "", "API-Version", " 2 "));
        assertEquals("2 by MEDIA_TYPE", select("/api/products", "", "Accept", "application/vnd.concierge.v2+json"));
        assertEquals("2 by MEDIA_TYPE", select("/api/products", "", "Accept",
                "text/html;q=0.9, Application/VND.Concierge.v2+JSON; charset=utf-8"));
        assertEquals("2 by QUERY", select("/api/products", "a=1&version=2&b"));
    }

    @Test
    void theStrongestPresentSelectorDecides() {
        assertEquals("1 by URL", select("/api/v1/products", "version=2", "API-Version", "2", "Accept",
                "application/vnd.concierge.v2+json"));
        assertEquals("1 by HEADER", select("/api/products", "version=2", "API-Version", "1", "Accept",
                "application/vnd.concierge.v2+json"));
        assertEquals("1 by MEDIA_TYPE", select("/api/products", "version=2", "Accept",
                "application/vnd.concierge.v1+json"));
    }

    @Test
    void aPresentSelectorWithAnUnknownVersionIsUnsupportedNotSkipped() {
        assertEquals("unsupported '9'", select("/api/products", "", "API-Version", "9"));
        assertEquals("unsupported ''", select("/api/products", "", "API-Version", ""));
        assertEquals("unsupported '9'", select("/api/products", "", "Accept", "application/vnd.concierge.v9+json"));
        assertEquals("unsupported '9'", select("/api/products", "version=9&version=2"));
        assertEquals("unsupported ''", select("/api/products", "version="));
    }

    @Test
    void lookalikesAreNotSelectors() {
        assertEquals("1 by DEFAULT", select("/api/products", "versions=2&myversion=2&version"));
        assertEquals("1 by DEFAULT", select("/api/products", "", "Accept", "application/json, application/vnd.other.v2+json"));
        assertEquals("1 by DEFAULT", select("/api/products/v2", ""));
        assertEquals("1 by DEFAULT", select("/api/vx/products", ""));
    }
}
