package io.concierge.gateway.telemetry;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.common.export.RetryPolicy;

/**
 * OTLP over gRPC sent with grpc-java, which the gateway already carries for gRPC transcoding. The
 * SDK's default sender is OkHttp, which drags in OkHttp and Kotlin's standard library (about 3 MB and a
 * version pin against Helidon's BOM); HTTP/protobuf export uses the JDK's HttpClient
 * ({@code opentelemetry-exporter-sender-jdk}), and this class covers {@code grpc}.
 *
 * <p>One channel per exporter; retries follow the exporter's {@link RetryPolicy} through the channel's
 * service config (grpc-java retries transparently, with the OTLP spec's retryable codes).
 */
final class OtlpGrpcSender implements GrpcSender {
    /** The OTLP specification's retryable status codes. */
    private static final List<String> RETRYABLE = List.of("CANCELLED", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED",
            "ABORTED", "OUT_OF_RANGE", "UNAVAILABLE", "DATA_LOSS");

    private final ManagedChannel channel;
    private final MethodDescriptor<MessageWriter, byte[]> method;
    private final GrpcSenderConfig config;

    OtlpGrpcSender(GrpcSenderConfig config) {
        this.config = config;
        URI endpoint = config.getEndpoint();
        boolean tls = "https".equalsIgnoreCase(endpoint.getScheme());
        int port = endpoint.getPort() != -1 ? endpoint.getPort() : tls ? 443 : 80;
        ManagedChannelBuilder<?> builder = Grpc.newChannelBuilderForAddress(endpoint.getHost(), port, credentials(tls, config))
                .userAgent("concierge-otlp");
        if (config.getExecutorService() != null) {
            builder.executor(config.getExecutorService());
        }
        RetryPolicy retry = config.getRetryPolicy();
        String fullMethod = config.getFullMethodName();
        if (retry != null) {
            builder.defaultServiceConfig(retryConfig(fullMethod.substring(0, fullMethod.lastIndexOf('/')), retry))
                    .enableRetry();
        } else {
            builder.disableRetry();
        }
        this.channel = builder.build();
        this.method = MethodDescriptor.<MessageWriter, byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullMethod)
                .setRequestMarshaller(new WriterMarshaller())
                .setResponseMarshaller(new BytesMarshaller())
                .build();
    }

    private static ChannelCredentials credentials(boolean tls, GrpcSenderConfig config) {
        if (!tls) {
            return InsecureChannelCredentials.create();
        }
        if (config.getTrustManager() != null) {
            return TlsChannelCredentials.newBuilder().trustManager(config.getTrustManager()).build();
        }
        return TlsChannelCredentials.create();
    }

    /** grpc-java's retry service config for the export service, from the exporter's policy. */
    private static Map<String, Object> retryConfig(String service, RetryPolicy retry) {
        Map<String, Object> policy = Map.of(
                // grpc-java caps attempts at 5, as the OTel default is.
                "maxAttempts", (double) Math.max(2, Math.min(5, retry.getMaxAttempts())),
                "initialBackoff", seconds(retry.getInitialBackoff().toNanos()),
                "maxBackoff", seconds(retry.getMaxBackoff().toNanos()),
                "backoffMultiplier", retry.getBackoffMultiplier(),
                "retryableStatusCodes", RETRYABLE);
        return Map.of("methodConfig", List.of(Map.of(
                "name", List.of(Map.of("service", service)),
                "retryPolicy", policy)));
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3fs", Math.max(nanos, 1_000_000L) / 1e9);
    }

    @Override
    public void send(MessageWriter message, Consumer<GrpcResponse> onResponse, Consumer<Throwable> onError) {
        Metadata headers = new Metadata();
        if (config.getHeadersSupplier() != null) {
            Map<String, List<String>> extra = config.getHeadersSupplier().get();
            if (extra != null) {
                extra.forEach((name, values) -> values.forEach(v ->
                        headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), v)));
            }
        }
        CallOptions options = CallOptions.DEFAULT;
        if (config.getTimeout() != null && !config.getTimeout().isZero()) {
            options = options.withDeadlineAfter(config.getTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        if (config.getCompressor() != null && "gzip".equals(config.getCompressor().getEncoding())) {
            options = options.withCompression("gzip"); // grpc-java's own gzip codec
        }
        ClientCall<MessageWriter, byte[]> call = ClientInterceptors
                .intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers))
                .newCall(method, options);
        ClientCalls.asyncUnaryCall(call, message, new StreamObserver<>() {
            private byte[] body = new byte[0];

            @Override
            public void onNext(byte[] value) {
                body = value;
            }

            @Override
            public void onError(Throwable t) {
                Status status = t instanceof StatusRuntimeException e ? e.getStatus()
                        : t instanceof StatusException e ? e.getStatus() : null;
                if (status == null || status.getCode() == Status.Code.UNKNOWN && status.getCause() != null) {
                    onError.accept(t); // no answer from the collector (connection, local failure)
                } else {
                    onResponse.accept(response(GrpcStatusCode.fromValue(status.getCode().value()),
                            status.getDescription(), new byte[0]));
                }
            }

            @Override
            public void onCompleted() {
                onResponse.accept(response(GrpcStatusCode.OK, null, body));
            }
        });
    }

    private static GrpcResponse response(GrpcStatusCode code, String description, byte[] body) {
        return new GrpcResponse() {
            @Override
            public GrpcStatusCode getStatusCode() {
                return code;
            }

            @Override
            public String getStatusDescription() {
                return description;
            }

            @Override
            public byte[] getResponseMessage() {
                return body;
            }
        };
    }

    @Override
    public CompletableResultCode shutdown() {
        channel.shutdownNow();
        return CompletableResultCode.ofSuccess();
    }

    /** The exporter's serialized request, written once per try. */
    private static final class WriterMarshaller implements MethodDescriptor.Marshaller<MessageWriter> {
        @Override
        public InputStream stream(MessageWriter value) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(value.getContentLength(), 32));
            try {
                value.writeMessage(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new ByteArrayInputStream(out.toByteArray());
        }

        @Override
        public MessageWriter parse(InputStream stream) {
            throw new UnsupportedOperationException("requests are only sent");
        }
    }

    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
