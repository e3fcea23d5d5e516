package io.concierge.gateway.telemetry;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.testing.PrometheusScrape;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The exposition format itself: one HELP/TYPE per family, label escaping, cumulative buckets. */
class PrometheusTextTest {
    @Test
    void familiesAreDeclaredOnceAndLabelValuesEscaped() {
        PrometheusText out = new PrometheusText();
        out.family("x_total", "counter", "Things.\nMore");
        out.sample("x_total", 3, "a", "quote\" back\\ nl\n");
        out.family("x_total", "counter", "Things.");
        out.sample("x_total", 1.5, "a", "b");
        assertEquals("""
                # HELP x_total Things.\\nMore
                # TYPE x_total counter
                x_total{a="quote\\" back\\\\ nl\\n"} 3
                x_total{a="b"} 1.5
                """, out.toString());
        PrometheusScrape parsed = new PrometheusScrape(out.toString());
        assertEquals(3, parsed.value("x_total", "a", "quote\" back\\ nl\n"));
    }

    @Test
    void interleavedSamplesStillFormOneGroupPerFamily() {
        PrometheusText out = new PrometheusText();
        out.family("a", "gauge", "A.");
        out.family("b", "gauge", "B.");
        out.sample("a", 1, "i", "1");
        out.sample("b", 2, "i", "1");
        out.sample("a", 3, "i", "2");
        assertEquals("""
                # HELP a A.
                # TYPE a gauge
                a{i="1"} 1
                a{i="2"} 3
                # HELP b B.
                # TYPE b gauge
                b{i="1"} 2
                """, out.toString());
    }

    @Test
    void histogramBucketsAreCumulativeWithSumAndCount() {
        Histogram h = new Histogram();
        h.observeNanos(400_000);        // 0.4 ms -> le 0.0005
        h.observeNanos(3_000_000);      // 3 ms   -> le 0.005
        h.observeNanos(60_000_000_000L); // 60 s -> +Inf only
        PrometheusText out = new PrometheusText();
        out.family("d_seconds", "histogram", "Durations.");
        out.histogram("d_seconds", h, "route", "r");
        PrometheusScrape p = new PrometheusScrape(out.toString());
        assertEquals(1, p.value("d_seconds_bucket", "le", "0.0005"));
        assertEquals(1, p.value("d_seconds_bucket", "le", "0.0025"));
        assertEquals(2, p.value("d_seconds_bucket", "le", "0.005"));
        assertEquals(2, p.value("d_seconds_bucket", "le", "10"));
        assertEquals(3, p.value("d_seconds_bucket", "le", "+Inf"));
        assertEquals(3, p.value("d_seconds_count"));
        assertEquals(60.0034, p.value("d_seconds_sum"), 1e-9);
    }

    @Test
    void methodsAndStatusesMapToBoundedLabels() {
        assertEquals(0, HttpMetrics.methodIndex("GET"));
        assertEquals(9, HttpMetrics.methodIndex("get"), "methods are case-sensitive; unknown ones are 'other'");
        assertEquals(9, HttpMetrics.methodIndex("BREW"));
        assertEquals(0, HttpMetrics.statusClass(101));
        assertEquals(4, HttpMetrics.statusClass(599));
        assertEquals(4, HttpMetrics.statusClass(999));
    }
}
