package io.concierge.gateway.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.webserver.ConnectionContext;

/**
 * HTTP/1.0 over Helidon 4.3.0, which refuses it outright (505, or no answer at all with HTTP/2
 * beside it), although nginx talks HTTP/1.0 to its upstreams by default. One request per
 * connection (RFC 9112 section 9.3: a 1.0 connection closes unless keep-alive is negotiated, and
 * closing is always allowed):
 *
 * <ul>
 *   <li>the request line is handed to Helidon as HTTP/1.1 with {@code Connection: close} added
 *       after it, so the exchange ends the connection ({@link ConnectionFraming});</li>
 *   <li>the answer keeps Helidon's {@code HTTP/1.1} status line (RFC 9110 section 2.5: a server
 *       sends its own version; every 1.0 client accepts it), but an interim 1xx answer is dropped
 *       and a chunked body is sent as plain bytes delimited by the close, since a 1.0 client knows
 *       neither.</li>
 * </ul>
 * The request's own framing stays as it was: a 1.0 request with {@code Transfer-Encoding} is refused
 * by {@link RequestGuard} (RFC 9112 section 6.1).
 */
final class Http10Exchange {
    private static final byte[] CLOSE = "\r\nConnection: close".getBytes(StandardCharsets.US_ASCII);

    private Http10Exchange() {
    }

    /** {@code lineLength}: length of the first request line, which the gate's reader still holds. */
    static ConnectionContext context(ConnectionContext ctx, int lineLength) {
        byte[] first = FramedContext.buffered(ctx.dataReader());
        first[lineLength - 1] = '1'; // "HTTP/1.0" -> "HTTP/1.1"
        byte[] head = new byte[first.length + CLOSE.length];
        System.arraycopy(first, 0, head, 0, lineLength);
        System.arraycopy(CLOSE, 0, head, lineLength, CLOSE.length);
        System.arraycopy(first, lineLength, head, lineLength + CLOSE.length, first.length - lineLength);
        return FramedContext.of(ctx, new ChunkLineReader(FramedContext.socketAfter(ctx, head)),
                new ResponseWriter(ctx.dataWriter()));
    }

    /** Rewrites the answer as it is written: no 1xx, no chunked coding (Helidon's own output). */
    static final class ResponseWriter implements DataWriter {
        private enum State { HEAD, PASS, SIZE, DATA, DATA_END, TRAILERS, DONE }

        private final DataWriter out;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private State state = State.HEAD;
        private long remaining;

        ResponseWriter(DataWriter out) {
            this.out = out;
        }

        @Override
        public void write(BufferData... buffers) {
            for (BufferData b : buffers) {
                write(b);
            }
        }

        @Override
        public void write(BufferData buffer) {
            BufferData b = rewrite(buffer);
            if (b != null) {
                out.write(b);
            }
        }

        @Override
        public void writeNow(BufferData... buffers) {
            for (BufferData b : buffers) {
                writeNow(b);
            }
        }

        @Override
        public void writeNow(BufferData buffer) {
            BufferData b = rewrite(buffer);
            if (b != null) {
                out.writeNow(b);
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.close();
        }

        private BufferData rewrite(BufferData buffer) {
            byte[] in = new byte[buffer.available()];
            buffer.read(in);
            ByteArrayOutputStream result = new ByteArrayOutputStream(in.length);
            int i = 0;
            while (i < in.length) {
                i = step(in, i, result);
            }
            return result.size() == 0 ? null : BufferData.create(result.toByteArray());
        }

        /** Consumes from {@code in[i]} on, returns the next index. */
        private int step(byte[] in, int i, ByteArrayOutputStream result) {
            switch (state) {
                case PASS -> {
                    result.write(in, i, in.length - i);
                    return in.length;
                }
                case DONE -> {
                    return in.length;
                }
                case DATA -> {
                    int n = (int) Math.min(remaining, in.length - i);
                    result.write(in, i, n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.DATA_END;
                    }
                    return i + n;
                }
                default -> {
                    // HEAD, SIZE, DATA_END, TRAILERS: collect up to the end of a line (or of the head)
                    line.write(in[i]);
                    if (in[i] == '\n') {
                        endOfLine(result);
                    }
                    return i + 1;
                }
            }
        }

        private void endOfLine(ByteArrayOutputStream result) {
            byte[] l = line.toByteArray();
            switch (state) {
                case HEAD -> {
                    if (!endsWithEmptyLine(l)) {
                        return;
                    }
                    line.reset();
                    String head = new String(l, StandardCharsets.ISO_8859_1);
                    if (head.startsWith("HTTP/1.1 1")) {
                        return; // 100 Continue and friends mean nothing to a 1.0 client
                    }
                    String chunked = chunkedLine(head);
                    if (chunked == null) {
                        result.writeBytes(l);
                        state = State.PASS;
                    } else {
                        result.writeBytes(head.replace(chunked, "").getBytes(StandardCharsets.ISO_8859_1));
                        state = State.SIZE;
                    }
                }
                case SIZE -> {
                    line.reset();
                    String size = new String(l, StandardCharsets.US_ASCII).trim();
                    int semi = size.indexOf(';');
                    remaining = Long.parseLong(semi < 0 ? size : size.substring(0, semi).trim(), 16);
                    state = remaining == 0 ? State.TRAILERS : State.DATA;
                }
                case DATA_END -> {
                    line.reset();
                    state = State.SIZE;
                }
                case TRAILERS -> {
                    line.reset();
                    if (l.length <= 2) {
                        state = State.DONE;
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }

        private static boolean endsWithEmptyLine(byte[] l) {
            int n = l.length;
            return n >= 4 && l[n - 4] == '\r' && l[n - 3] == '\n' && l[n - 2] == '\r' && l[n - 1] == '\n';
        }

        /** The whole {@code Transfer-Encoding: chunked} line with its CRLF, or null. */
        private static String chunkedLine(String head) {
            int from = 0;
            while (true) {
                int eol = head.indexOf("\r\n", from);
                if (eol < 0) {
                    return null;
                }
                String l = head.substring(from, eol);
                int colon = l.indexOf(':');
                if (colon > 0 && l.substring(0, colon).trim().equalsIgnoreCase("transfer-encoding")
                        && l.substring(colon + 1).trim().toLowerCase(Locale.ROOT).equals("chunked")) {
                    return head.substring(from, eol + 2);
                }
                from = eol + 2;
            }
        }
    }
}
