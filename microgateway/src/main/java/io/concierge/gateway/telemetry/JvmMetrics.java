package io.concierge.gateway.telemetry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The JVM's and the process's metrics ({@code jvm_*}: memory pools, GC pauses, threads, classes,
 * buffer pools, runtime info; {@code process_*}: CPU, resident memory, open and max file descriptors,
 * start time) from the Prometheus Java client's JVM instrumentation, appended to every server's
 * {@code /metrics}. Our own families are all {@code concierge_*}, so the names cannot clash.
 *
 * <p>One registry per JVM: these describe the process, which two servers in one JVM (tests) share.
 * The library reads the JMX beans at scrape time; nothing runs per request.
 */
public final class JvmMetrics {
    private static final PrometheusRegistry REGISTRY = new PrometheusRegistry();
    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.builder()
            .setIncludeCreatedTimestamps(false)
            .build();

    static {
        io.prometheus.metrics.instrumentation.jvm.JvmMetrics.builder().register(REGISTRY);
    }

    private JvmMetrics() {
    }

    /** The text exposition (format 0.0.4) of the JVM and process families. */
    public static String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        try {
            WRITER.write(out, REGISTRY.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
