package io.concierge.edge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.telemetry.ClientSpan;
import io.concierge.gateway.telemetry.Tracing;
import io.concierge.gateway.testing.OtlpReceiver;
import io.concierge.gateway.testing.Poll;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http2.Http2Config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OTLP over gRPC: spans exported with {@code OTEL_EXPORTER_OTLP_PROTOCOL=grpc} reach a minimal gRPC
 * receiver (a Helidon HTTP/2 listener, cleartext with prior knowledge, answering the unary Export
 * call with a trailers-only OK) and decode to the spans that were made.
 */
class OtlpGrpcExportIT {
    private static final String EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    @Test
    void spansAreExportedOverGrpc() throws IOException {
        List<OtlpReceiver.ReceivedSpan> received = new CopyOnWriteArrayList<>();
        List<String> contentTypes = new CopyOnWriteArrayList<>();
        WebServer receiver = WebServer.builder().host("127.0.0.1").port(0)
                .addProtocol(Http2Config.create())
                .routing(r -> r.post(EXPORT, (req, res) -> {
                    contentTypes.add(req.headers().first(HeaderNames.CONTENT_TYPE).orElse(""));
                    byte[] framed = req.content().inputStream().readAllBytes();
                    // gRPC message framing: 1 byte compressed flag, 4 bytes length, the message.
                    int length = ByteBuffer.wrap(framed, 1, 4).getInt();
                    byte[] message = new byte[length];
                    System.arraycopy(framed, 5, message, 0, length);
                    received.addAll(OtlpReceiver.decodeRequest(message));
                    res.header(HeaderNames.CONTENT_TYPE, "application/grpc");
                    res.header("grpc-status", "0");
                    // An empty ExportTraceServiceResponse, framed.
                    res.send(new byte[] {0, 0, 0, 0, 0});
                }))
                .build().start();
        Tracing tracing = Tracing.configure("concierge-grpc-test", Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiver.port(),
                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
                "OTEL_BSP_SCHEDULE_DELAY", "50")::get);
        try {
            String traceId;
            try (ClientSpan span = tracing.clientCall("GET", "127.0.0.1", 1, "http://127.0.0.1:1/x", "svc")) {
                span.status(200);
                traceId = span.traceId();
            }
            tracing.flush();
            Poll.until("the span arrives over gRPC", Duration.ofSeconds(20), () -> !received.isEmpty());
            OtlpReceiver.ReceivedSpan s = received.get(0);
            assertEquals(traceId, s.traceId());
            assertEquals(OtlpReceiver.ReceivedSpan.KIND_CLIENT, s.kind());
            assertEquals("concierge-grpc-test", s.serviceName());
            assertEquals("svc", s.attributes().get("concierge.upstream.service"));
            assertTrue(contentTypes.get(0).startsWith("application/grpc"), contentTypes.toString());
        } finally {
            tracing.close();
            receiver.stop();
        }
    }
}
