package io.concierge.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Header;
import io.helidon.http.http2.Http2FrameData;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2HuffmanDecoder;

/**
 * One HTTP/2 response as an {@link H2Client} read it: the final status and headers (interim 1xx
 * heads skipped), the body, and how the stream ended.
 *
 * @param status       the final status, 0 when none arrived
 * @param headers      lower-case name and value of every field, in order
 * @param body         the DATA payloads, concatenated
 * @param resetCode    the RST_STREAM error code, -1 when the stream was not reset
 * @param goAwayCode   the GOAWAY error code, -1 when none came before the stream ended
 * @param closed       true when the connection closed before the stream ended
 */
public record H2Response(int status, List<String[]> headers, byte[] body, int resetCode, int goAwayCode,
                         boolean closed) {

    /** The first value of {@code name} (case-insensitive), or null. */
    public String header(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String[] h : headers) {
            if (h[0].equals(lower)) {
                return h[1];
            }
        }
        return null;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("h2 ").append(status);
        for (String[] h : headers) {
            sb.append(' ').append(h[0]).append('=').append(h[1]);
        }
        if (resetCode >= 0) {
            sb.append(" RST_STREAM(").append(resetCode).append(')');
        }
        if (goAwayCode >= 0) {
            sb.append(" GOAWAY(").append(goAwayCode).append(')');
        }
        if (closed) {
            sb.append(" connection closed");
        }
        return sb.append(' ').append(bodyText()).toString();
    }

    /**
     * HPACK decoding of response header blocks with the connection's dynamic table. The decoding
     * itself is Helidon's ({@link Http2Headers}): these tests check what the proxy sends, not HPACK.
     */
    static final class Decoder {
        private final Http2Headers.DynamicTable table = Http2Headers.DynamicTable.create(4096);
        private final Http2HuffmanDecoder huffman = Http2HuffmanDecoder.create();

        Http2Headers decode(byte[] block) {
            // One synthetic HEADERS frame (END_HEADERS, no padding, no priority) holding the whole block.
            byte[] head = {(byte) (block.length >>> 16), (byte) (block.length >>> 8), (byte) block.length,
                    (byte) H2Client.H2Frames.HEADERS, (byte) H2Client.H2Frames.END_HEADERS, 0, 0, 0, 1};
            Http2FrameHeader header = Http2FrameHeader.create(BufferData.create(head));
            return Http2Headers.create(null, table, huffman, new Http2FrameData(header, BufferData.create(block)));
        }
    }

    /** Collects one stream's frames. */
    static final class Builder {
        private static final int PADDED = 0x8;
        private static final int PRIORITY = 0x20;

        private final int stream;
        private final ByteArrayOutputStream block = new ByteArrayOutputStream();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private boolean endStreamWithHeaders;
        private int status;
        private List<String[]> headers = List.of();
        private boolean ended;
        private int resetCode = -1;

        Builder(int stream) {
            this.stream = stream;
        }

        void headerFragment(int type, int flags, byte[] payload, Decoder decoder) {
            int off = 0;
            int end = payload.length;
            if (type == H2Client.H2Frames.HEADERS) {
                endStreamWithHeaders = (flags & H2Client.H2Frames.END_STREAM) != 0;
                if ((flags & PADDED) != 0) {
                    end -= payload[0] & 0xff;
                    off = 1;
                }
                if ((flags & PRIORITY) != 0) {
                    off += 5;
                }
            }
            block.write(payload, off, end - off);
            if ((flags & H2Client.H2Frames.END_HEADERS) == 0) {
                return;
            }
            Http2Headers decoded = decoder.decode(block.toByteArray());
            block.reset();
            int code = decoded.status().code();
            if (code >= 100 && code < 200) {
                return; // an interim response: the final one follows
            }
            status = code;
            List<String[]> fields = new ArrayList<>();
            for (Header h : decoded.httpHeaders()) {
                for (String v : h.allValues()) {
                    fields.add(new String[] {h.name().toLowerCase(Locale.ROOT), v});
                }
            }
            headers = fields;
            if (endStreamWithHeaders) {
                ended = true;
            }
        }

        void data(int flags, byte[] payload) {
            int off = 0;
            int end = payload.length;
            if ((flags & PADDED) != 0) {
                end -= payload[0] & 0xff;
                off = 1;
            }
            body.write(payload, off, end - off);
            if ((flags & H2Client.H2Frames.END_STREAM) != 0) {
                ended = true;
            }
        }

        void reset(int code) {
            resetCode = code;
            ended = true;
        }

        boolean complete() {
            return ended;
        }

        H2Response build() {
            return new H2Response(status, headers, body.toByteArray(), resetCode, -1, false);
        }

        H2Response goAway(int code) {
            return new H2Response(status, headers, body.toByteArray(), resetCode, code, false);
        }

        H2Response connectionClosed() {
            return new H2Response(status, headers, body.toByteArray(), resetCode, -1, true);
        }

        @Override
        public String toString() {
            return "stream " + stream;
        }
    }
}
