package io.concierge.gateway.telemetry;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which {@code OTEL_*} settings turn tracing on, and that both OTLP protocols build an exporter. */
class TracingConfigTest {
    private static Tracing configure(Map<String, String> env) {
        return Tracing.configure("concierge-test", env::get);
    }

    @Test
    void offWithoutAnEndpoint() {
        assertSame(Tracing.disabled(), configure(Map.of()));
        assertSame(Tracing.disabled(), configure(Map.of("OTEL_TRACES_SAMPLER", "always_on")));
        assertFalse(Tracing.disabled().enabled());
    }

    @Test
    void offWhenDisabledExplicitly() {
        assertSame(Tracing.disabled(), configure(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318",
                "OTEL_SDK_DISABLED", "true")));
        assertSame(Tracing.disabled(), configure(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318",
                "OTEL_TRACES_EXPORTER", "none")));
    }

    @Test
    void httpProtobufAndGrpcExportersBuild() {
        // Nothing listens there; building the exporter is what is checked (the sender is on the
        // classpath), and closing does not wait for a collector.
        for (Map<String, String> env : java.util.List.of(
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"),
                Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:9/v1/traces"),
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
                        "OTEL_TRACES_SAMPLER", "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0.25"))) {
            try (Tracing t = configure(env)) {
                assertTrue(t.enabled(), env.toString());
            }
        }
    }

    @Test
    void invalidSettingsFailAtStartup() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> configure(Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9", "OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon")));
        assertTrue(e.getMessage().startsWith("invalid OpenTelemetry settings (OTEL_*): "), e.getMessage());
    }
}
