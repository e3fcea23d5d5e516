package io.concierge.gateway.telemetry;

/** Something that contributes samples to {@code /metrics}; read at scrape time, never per request. */
@FunctionalInterface
public interface MetricsSource {
    void write(PrometheusText out);
}
