package io.concierge.gateway.transform;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.concierge.gateway.telemetry.MetricsSource;
import io.concierge.gateway.telemetry.PrometheusText;

/**
 * What the transform steps of one server did with response bodies, per route (or composition):
 * transformed, or passed through untouched and why. Counters are created at load, one set per
 * step; the request path only increments a {@link LongAdder}.
 */
public final class TransformStats implements MetricsSource {
    /** Why a body was or was not transformed; the metric's {@code outcome} label. */
    enum Outcome {
        TRANSFORMED, TOO_LARGE, NOT_JSON, INVALID_JSON, ENCODED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Map<String, LongAdder[]> routes = new ConcurrentHashMap<>();

    /** The counters of one route, created once when its step is built. */
    LongAdder[] route(String id) {
        return routes.computeIfAbsent(id, k -> {
            LongAdder[] a = new LongAdder[Outcome.values().length];
            for (int i = 0; i < a.length; i++) {
                a[i] = new LongAdder();
            }
            return a;
        });
    }

    /** For tests and /admin: one route's count of one outcome. */
    public long count(String route, String outcome) {
        LongAdder[] a = routes.get(route);
        return a == null ? 0 : a[Outcome.valueOf(outcome.toUpperCase(java.util.Locale.ROOT)).ordinal()].sum();
    }

    @Override
    public void write(PrometheusText out) {
        if (routes.isEmpty()) {
            return;
        }
        out.family("concierge_transform_bodies_total", "counter", "Response bodies of routes with a body"
                + " transformation: transformed, or passed through untouched (too_large, not_json, invalid_json,"
                + " encoded).");
        routes.forEach((route, counters) -> {
            for (Outcome o : Outcome.values()) {
                out.sample("concierge_transform_bodies_total", counters[o.ordinal()].sum(), "route", route,
                        "outcome", o.label());
            }
        });
    }
}
