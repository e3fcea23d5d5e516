package io.concierge.gateway.ratelimit;

import java.util.List;
import java.util.Set;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.routing.PathPattern;

/**
 * A limit's {@code match}: the methods and path patterns it applies to, compiled once. Empty lists
 * mean every method and every path.
 */
final class LimitMatch {
    private final Set<String> methods;
    private final PathPattern[] paths;

    LimitMatch(RateLimitConfig config) {
        this.methods = config.methods();
        this.paths = config.paths().stream().map(PathPattern::compile).toArray(PathPattern[]::new);
    }

    boolean applies(Exchange ex) {
        if (!methods.isEmpty() && !methods.contains(ex.request().prologue().method().text())) {
            return false;
        }
        if (paths.length == 0) {
            return true;
        }
        List<String> segments = ex.path().segments();
        for (PathPattern p : paths) {
            if (p.match(segments) != null) {
                return true;
            }
        }
        return false;
    }
}
