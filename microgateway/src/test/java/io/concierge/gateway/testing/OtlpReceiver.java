package io.concierge.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpServer;

/**
 * An OTLP/HTTP trace receiver for tests: accepts {@code POST /v1/traces} with an
 * {@code application/x-protobuf} ExportTraceServiceRequest on an ephemeral loopback port and
 * decodes the fields the tests look at with a minimal protobuf reader (no generated classes).
 */
public final class OtlpReceiver implements AutoCloseable {
    /** One received span. Ids are lower-case hex; parentSpanId is empty for a root span. */
    public record ReceivedSpan(String serviceName, String traceId, String spanId, String parentSpanId, String name,
                               int kind, Map<String, Object> attributes) {
        public static final int KIND_INTERNAL = 1;
        public static final int KIND_SERVER = 2;
        public static final int KIND_CLIENT = 3;
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();

    private OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("POST")) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                InputStream in = exchange.getRequestBody();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    in = new GZIPInputStream(in);
                }
                byte[] body = in.readAllBytes();
                requests.incrementAndGet();
                spans.addAll(decodeRequest(body));
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    public static OtlpReceiver start() {
        try {
            return new OtlpReceiver();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The base endpoint, for {@code OTEL_EXPORTER_OTLP_ENDPOINT}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ---- minimal protobuf decoding of opentelemetry/proto/collector/trace/v1 ----

    /** Decodes an ExportTraceServiceRequest (for receivers of other transports, e.g. gRPC). */
    public static List<ReceivedSpan> decodeRequest(byte[] body) {
        List<ReceivedSpan> result = new ArrayList<>();
        for (Field rs : fields(body)) {
            if (rs.number == 1) { // ExportTraceServiceRequest.resource_spans
                String service = null;
                List<byte[]> scopeSpans = new ArrayList<>();
                for (Field f : fields(rs.bytes)) {
                    if (f.number == 1) { // ResourceSpans.resource
                        for (Field attr : fields(f.bytes)) {
                            if (attr.number == 1) {
                                Object[] kv = keyValue(attr.bytes);
                                if ("service.name".equals(kv[0])) {
                                    service = String.valueOf(kv[1]);
                                }
                            }
                        }
                    } else if (f.number == 2) { // ResourceSpans.scope_spans
                        scopeSpans.add(f.bytes);
                    }
                }
                for (byte[] ss : scopeSpans) {
                    for (Field f : fields(ss)) {
                        if (f.number == 2) { // ScopeSpans.spans
                            result.add(span(service, f.bytes));
                        }
                    }
                }
            }
        }
        return result;
    }

    private static ReceivedSpan span(String service, byte[] bytes) {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        int kind = 0;
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (Field f : fields(bytes)) {
            switch (f.number) {
                case 1 -> traceId = HexFormat.of().formatHex(f.bytes);
                case 2 -> spanId = HexFormat.of().formatHex(f.bytes);
                case 4 -> parent = HexFormat.of().formatHex(f.bytes);
                case 5 -> name = new String(f.bytes, StandardCharsets.UTF_8);
                case 6 -> kind = (int) f.varint;
                case 9 -> {
                    Object[] kv = keyValue(f.bytes);
                    attributes.put((String) kv[0], kv[1]);
                }
                default -> {
                }
            }
        }
        return new ReceivedSpan(service, traceId, spanId, parent, name, kind, attributes);
    }

    /** KeyValue{key=1, value=2 AnyValue{string=1, bool=2, int=3, double=4}}. */
    private static Object[] keyValue(byte[] bytes) {
        String key = null;
        Object value = null;
        for (Field f : fields(bytes)) {
            if (f.number == 1) {
                key = new String(f.bytes, StandardCharsets.UTF_8);
            } else if (f.number == 2) {
                for (Field v : fields(f.bytes)) {
                    value = switch (v.number) {
                        case 1 -> new String(v.bytes, StandardCharsets.UTF_8);
                        case 2 -> v.varint != 0;
                        case 3 -> v.varint;
                        case 4 -> Double.longBitsToDouble(v.varint);
                        default -> value;
                    };
                }
            }
        }
        return new Object[] {key, value};
    }

    private record Field(int number, long varint, byte[] bytes) {
    }

    private static List<Field> fields(byte[] b) {
        List<Field> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < b.length) {
            long tag = varint(b, pos);
            int number = (int) (tag >>> 3);
            int type = (int) (tag & 7);
            switch (type) {
                case 0 -> out.add(new Field(number, varint(b, pos), null));
                case 1 -> {
                    long v = 0;
                    for (int i = 0; i < 8; i++) {
                        v |= (b[pos[0] + i] & 0xffL) << (8 * i);
                    }
                    pos[0] += 8;
                    out.add(new Field(number, v, null));
                }
                case 2 -> {
                    int len = (int) varint(b, pos);
                    byte[] sub = new byte[len];
                    System.arraycopy(b, pos[0], sub, 0, len);
                    pos[0] += len;
                    out.add(new Field(number, 0, sub));
                }
                case 5 -> {
                    long v = 0;
                    for (int i = 0; i < 4; i++) {
                        v |= (b[pos[0] + i] & 0xffL) << (8 * i);
                    }
                    pos[0] += 4;
                    out.add(new Field(number, v, null));
                }
                default -> throw new IllegalArgumentException("unsupported wire type " + type);
            }
        }
        return out;
    }

    private static long varint(byte[] b, int[] pos) {
        long result = 0;
        int shift = 0;
        while (true) {
            byte x = b[pos[0]++];
            result |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return result;
            }
            shift += 7;
        }
    }
}
