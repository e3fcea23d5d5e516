package io.concierge.edge.console;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the console needs from a gateway's {@code /metrics} (Prometheus text): answered requests,
 * the 5xx among them, and the request-duration histogram summed over routes, methods and status
 * classes ({@code concierge_http_server_requests_total},
 * {@code concierge_http_server_request_duration_seconds_bucket}; docs/observability.md). Counters
 * since the gateway started: rates and p99 come from the difference of two digests.
 */
record MetricsDigest(long requests, long serverErrors, TreeMap<Double, Long> buckets) {
    private static final String REQUESTS = "concierge_http_server_requests_total{";
    private static final String BUCKETS = "concierge_http_server_request_duration_seconds_bucket{";
    static final MetricsDigest EMPTY = new MetricsDigest(0, 0, new TreeMap<>());

    static MetricsDigest parse(String text) {
        long requests = 0;
        long errors = 0;
        TreeMap<Double, Long> buckets = new TreeMap<>();
        int pos = 0;
        while (pos < text.length()) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) {
                eol = text.length();
            }
            String line = text.substring(pos, eol);
            pos = eol + 1;
            if (line.startsWith(REQUESTS)) {
                long v = value(line);
                requests += v;
                if (line.contains("status_class=\"5xx\"")) {
                    errors += v;
                }
            } else if (line.startsWith(BUCKETS)) {
                int le = line.lastIndexOf("le=\"");
                int end = le < 0 ? -1 : line.indexOf('"', le + 4);
                if (end > 0) {
                    String bound = line.substring(le + 4, end);
                    double b = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : parseDouble(bound);
                    if (!Double.isNaN(b)) {
                        buckets.merge(b, value(line), Long::sum);
                    }
                }
            }
        }
        return new MetricsDigest(requests, errors, buckets);
    }

    private static long value(String line) {
        int sp = line.lastIndexOf(' ');
        double d = parseDouble(line.substring(sp + 1).trim());
        return Double.isNaN(d) ? 0 : (long) d;
    }

    private static double parseDouble(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** This digest minus an earlier one of the same process (a restart, i.e. counters that went down, counts from zero). */
    MetricsDigest since(MetricsDigest earlier) {
        if (earlier == null || requests < earlier.requests) {
            return this;
        }
        TreeMap<Double, Long> b = new TreeMap<>();
        for (Map.Entry<Double, Long> e : buckets.entrySet()) {
            long before = earlier.buckets.getOrDefault(e.getKey(), 0L);
            b.put(e.getKey(), Math.max(0, e.getValue() - before));
        }
        return new MetricsDigest(requests - earlier.requests, Math.max(0, serverErrors - earlier.serverErrors), b);
    }

    MetricsDigest plus(MetricsDigest other) {
        TreeMap<Double, Long> b = new TreeMap<>(buckets);
        other.buckets.forEach((k, v) -> b.merge(k, v, Long::sum));
        return new MetricsDigest(requests + other.requests, serverErrors + other.serverErrors, b);
    }

    /**
     * The 99th percentile in milliseconds from the cumulative buckets, interpolated inside the bucket
     * that holds it (the usual histogram_quantile estimate); null without requests.
     */
    Double p99Millis() {
        Long total = buckets.get(Double.POSITIVE_INFINITY);
        if (total == null || total == 0) {
            return null;
        }
        double target = 0.99 * total;
        double lowerBound = 0;
        long lowerCount = 0;
        for (Map.Entry<Double, Long> e : buckets.entrySet()) {
            if (e.getValue() >= target) {
                if (e.getKey().isInfinite()) {
                    return lowerBound * 1000;
                }
                long inBucket = e.getValue() - lowerCount;
                double share = inBucket == 0 ? 1 : (target - lowerCount) / inBucket;
                return (lowerBound + (e.getKey() - lowerBound) * share) * 1000;
            }
            lowerBound = e.getKey();
            lowerCount = e.getValue();
        }
        return null;
    }
}
