package io.concierge.edge.console;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Reading a gateway's Prometheus text: requests, 5xx, and p99 from the summed histogram over an interval. */
class MetricsDigestTest {
    private static String scrape(long ok, long err, long fast, long slow) {
        return """
                # TYPE concierge_http_server_requests_total counter
                concierge_http_server_requests_total{route="/a",method="GET",status_class="2xx"} %d
                concierge_http_server_requests_total{route="/a",method="GET",status_class="5xx"} %d
                # TYPE concierge_http_server_request_duration_seconds histogram
                concierge_http_server_request_duration_seconds_bucket{route="/a",method="GET",status_class="2xx",le="0.01"} %d
                concierge_http_server_request_duration_seconds_bucket{route="/a",method="GET",status_class="2xx",le="0.1"} %d
                concierge_http_server_request_duration_seconds_bucket{route="/a",method="GET",status_class="2xx",le="+Inf"} %d
                concierge_http_server_request_duration_seconds_bucket{route="/a",method="GET",status_class="5xx",le="0.01"} %d
                concierge_http_server_request_duration_seconds_bucket{route="/a",method="GET",status_class="5xx",le="0.1"} %d
                concierge_http_server_request_duration_seconds_bucket{route="/a",method="GET",status_class="5xx",le="+Inf"} %d
                concierge_upstream_request_duration_seconds_bucket{service="s",outcome="2xx",le="+Inf"} 999
                """.formatted(ok, err, fast, ok, ok, err, err, err);
    }

    @Test
    void sumsRequestsAndServerErrorsOverRoutesAndClasses() {
        MetricsDigest d = MetricsDigest.parse(scrape(90, 10, 90, 0));
        assertEquals(100, d.requests());
        assertEquals(10, d.serverErrors());
        assertEquals(100L, d.buckets().get(Double.POSITIVE_INFINITY));
    }

    @Test
    void p99IsInterpolatedInsideItsBucketAndComesFromTheInterval() {
        // 100 requests all under 10 ms: p99 at 99 % of the first bucket.
        assertEquals(9.9, MetricsDigest.parse(scrape(90, 10, 90, 0)).p99Millis(), 1e-9);
        // Then 100 more, 50 of them between 10 and 100 ms: over the interval, p99 is in the second bucket.
        MetricsDigest before = MetricsDigest.parse(scrape(90, 10, 90, 0));
        MetricsDigest after = MetricsDigest.parse(scrape(190, 10, 140, 0));
        MetricsDigest interval = after.since(before);
        assertEquals(100, interval.requests());
        assertEquals(0, interval.serverErrors());
        assertEquals(10 + 90 * (99.0 - 50) / 50, interval.p99Millis(), 1e-9);
    }

    @Test
    void noRequestsNoP99AndARestartCountsFromZero() {
        assertNull(MetricsDigest.parse("").p99Millis());
        MetricsDigest before = MetricsDigest.parse(scrape(90, 10, 90, 0));
        MetricsDigest restarted = MetricsDigest.parse(scrape(5, 0, 5, 0));
        assertEquals(5, restarted.since(before).requests());
    }
}
