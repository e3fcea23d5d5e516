package io.concierge.gateway.telemetry;

import java.util.List;
import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;

import io.opentelemetry.sdk.common.export.GrpcSenderProvider;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The OTLP exporter finds exactly one sender per protocol, neither of them OkHttp: the JDK's HttpClient
 * for http/protobuf and grpc-java for grpc (the export itself is tested end to end in
 * {@code OtlpSamplingIT} and the edge's {@code OtlpGrpcExportIT}).
 */
class OtlpSendersTest {
    @Test
    void sendersAreTheJdksAndGrpcJavas() {
        List<String> http = ServiceLoader.load(HttpSenderProvider.class).stream()
                .map(p -> p.type().getName()).toList();
        List<String> grpc = ServiceLoader.load(GrpcSenderProvider.class).stream()
                .map(p -> p.type().getName()).toList();
        assertEquals(List.of("io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider"), http);
        assertEquals(List.of(OtlpGrpcSenderProvider.class.getName()), grpc);
    }

    @Test
    void okHttpAndKotlinAreNotOnTheClassPath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("okhttp3.OkHttpClient"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("kotlin.Unit"));
    }
}
