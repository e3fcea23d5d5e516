package io.concierge.gateway.telemetry;

import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcSenderProvider;

/**
 * Found by the OTLP gRPC exporter through {@code META-INF/services}: sends with grpc-java
 * ({@link OtlpGrpcSender}) instead of OkHttp, which is not on the class path.
 */
public final class OtlpGrpcSenderProvider implements GrpcSenderProvider {
    @Override
    public GrpcSender createSender(GrpcSenderConfig config) {
        return new OtlpGrpcSender(config);
    }
}
