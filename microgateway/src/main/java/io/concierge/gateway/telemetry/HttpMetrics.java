package io.concierge.gateway.telemetry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request and upstream metrics of one server. Labels are bounded by construction: the route label
 * is a route template (or the edge's domain), never a raw path, and {@value #UNMATCHED} when no
 * route matched; methods outside the standard set become {@value #OTHER}; statuses become classes;
 * past {@link #MAX_ROUTES} distinct routes (or services) new ones are counted as {@value #OTHER}.
 * The request path costs a map lookup and a few LongAdder increments, no allocation.
 */
public final class HttpMetrics implements MetricsSource {
    public static final String UNMATCHED = "unmatched";
    public static final String OTHER = "other";
    static final int MAX_ROUTES = 512;
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
            "CONNECT", OTHER};
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    private static final String[] OUTCOMES = {"1xx", "2xx", "3xx", "4xx", "5xx", "error"};

    private final Map<String, LabeledSeries> routes = new ConcurrentHashMap<>();
    private final Map<String, LabeledSeries> upstreams = new ConcurrentHashMap<>();
    private final LongAdder inFlight = new LongAdder();

    /** The series of a route label; looked up once per request. */
    LabeledSeries route(String route) {
        return lookup(routes, route, METHODS.length * CLASSES.length);
    }

    void started() {
        inFlight.increment();
    }

    void finished(LabeledSeries route, String method, int status, long nanos) {
        inFlight.decrement();
        route.histogram(methodIndex(method) * CLASSES.length + statusClass(status)).observeNanos(nanos);
    }

    /** @param status the upstream's status, or -1 when the try failed without one */
    void upstream(String service, int status, long nanos) {
        int outcome = status < 0 ? OUTCOMES.length - 1 : statusClass(status);
        lookup(upstreams, service, OUTCOMES.length).histogram(outcome).observeNanos(nanos);
    }

    long inFlight() {
        return inFlight.sum();
    }

    private static LabeledSeries lookup(Map<String, LabeledSeries> map, String label, int size) {
        LabeledSeries s = map.get(label);
        if (s != null) {
            return s;
        }
        String key = map.size() >= MAX_ROUTES ? OTHER : label;
        return map.computeIfAbsent(key, k -> new LabeledSeries(size));
    }

    /**
     * The method as spans name it: a standard one as is, any other {@code _OTHER} (semantic
     * conventions), so a client cannot mint span names by inventing methods.
     */
    static String spanMethod(String method) {
        int i = methodIndex(method);
        return i < METHODS.length - 1 ? METHODS[i] : "_OTHER";
    }

    static int methodIndex(String method) {
        for (int i = 0; i < METHODS.length - 1; i++) {
            // Method names are case-sensitive (RFC 9110); the standard ones are interned constants.
            if (METHODS[i].equals(method)) {
                return i;
            }
        }
        return METHODS.length - 1;
    }

    static int statusClass(int status) {
        return Math.min(4, Math.max(0, status / 100 - 1));
    }

    @Override
    public void write(PrometheusText out) {
        out.family("concierge_http_server_requests_total", "counter",
                "Requests answered, by route template, method and status class.");
        routes.forEach((route, s) -> s.forEach((i, h) -> out.sample("concierge_http_server_requests_total",
                h.cumulative()[Histogram.BOUNDS_SECONDS.length], "route", route, "method",
                METHODS[i / CLASSES.length], "status_class", CLASSES[i % CLASSES.length])));
        out.family("concierge_http_server_request_duration_seconds", "histogram",
                "Time from request arrival to the end of the response, by route template, method and status class.");
        routes.forEach((route, s) -> s.forEach((i, h) -> out.histogram("concierge_http_server_request_duration_seconds",
                h, "route", route, "method", METHODS[i / CLASSES.length], "status_class", CLASSES[i % CLASSES.length])));
        out.family("concierge_http_server_active_requests", "gauge", "Requests being handled now.");
        out.sample("concierge_http_server_active_requests", inFlight());
        out.family("concierge_upstream_request_duration_seconds", "histogram",
                "Time of one upstream try from connection to the end of the response body, by service and outcome"
                        + " (status class, or error when no response head arrived).");
        upstreams.forEach((service, s) -> s.forEach((i, h) -> out.histogram(
                "concierge_upstream_request_duration_seconds", h, "service", service, "outcome", OUTCOMES[i])));
    }

    /** The histograms of one label value, created on first use. */
    static final class LabeledSeries {
        private final AtomicReferenceArray<Histogram> histograms;

        LabeledSeries(int size) {
            histograms = new AtomicReferenceArray<>(size);
        }

        Histogram histogram(int i) {
            Histogram h = histograms.get(i);
            if (h == null) {
                histograms.compareAndSet(i, null, new Histogram());
                h = histograms.get(i);
            }
            return h;
        }

        void forEach(IndexedVisitor v) {
            for (int i = 0; i < histograms.length(); i++) {
                Histogram h = histograms.get(i);
                if (h != null) {
                    v.visit(i, h);
                }
            }
        }
    }

    @FunctionalInterface
    interface IndexedVisitor {
        void visit(int index, Histogram h);
    }
}
