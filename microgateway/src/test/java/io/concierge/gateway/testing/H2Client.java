package io.concierge.gateway.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/2 client made of hand-built frames on a raw socket, for tests that must send what a
 * well-behaved client never would: header values with CR, LF or NUL, any bytes in {@code :path} or
 * {@code :authority}, bodies without {@code content-length}. Header blocks are HPACK literal fields
 * without indexing and without Huffman coding ({@link H2Frames#literal}), so every byte given is the
 * byte sent. Responses are decoded by {@link H2Response}.
 *
 * <p>Plain sockets speak h2c with prior knowledge; {@link #connectTls} negotiates "h2" by ALPN. The
 * client is synchronous: frames are read only inside {@link #response}, which also answers the
 * server's SETTINGS and PING and returns flow-control credit for every DATA frame it reads.
 */
public final class H2Client implements AutoCloseable {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final Duration READ_GUARD = Duration.ofSeconds(30);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final H2Response.Decoder decoder = new H2Response.Decoder();
    private final Map<Integer, H2Response.Builder> streams = new HashMap<>();
    private int nextStream = 1;
    private int goAwayError = -1;
    /** The parameters of the server's first SETTINGS frame, by identifier (RFC 9113 §6.5.2). */
    private final Map<Integer, Long> serverSettings = new HashMap<>();
    private boolean serverSettingsSeen;

    private H2Client(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        out.write(PREFACE);
        // Our SETTINGS: the largest stream window, so no stream ever waits for us; the connection's
        // window (65,535 to start with) gets back every DATA byte as soon as it is read.
        writeFrame(H2Frames.SETTINGS, 0, 0, H2Frames.settings(4, Integer.MAX_VALUE));
        out.flush();
    }

    /** h2c with prior knowledge on a plain listener. */
    public static H2Client connect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) READ_GUARD.toMillis());
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            return new H2Client(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** TLS with ALPN "h2"; fails when the server does not select h2. */
    public static H2Client connectTls(int port, SSLContext context) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) READ_GUARD.toMillis());
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            SSLParameters params = s.getSSLParameters();
            params.setApplicationProtocols(new String[] {"h2"});
            s.setSSLParameters(params);
            s.startHandshake();
            if (!"h2".equals(s.getApplicationProtocol())) {
                throw new IOException("the server did not select h2 by ALPN but '" + s.getApplicationProtocol() + "'");
            }
            return new H2Client(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Opens a stream with one HEADERS frame (CONTINUATION frames when the block exceeds 16 KiB).
     *
     * @param fields    name/value pairs in order, pseudo-headers first ({@link H2Frames#get} builds the usual four);
     *                  names and values are sent byte for byte (ISO-8859-1)
     * @param endStream true when no body follows
     * @return the stream id
     */
    public int headers(List<String[]> fields, boolean endStream) throws IOException {
        int stream = nextStream;
        nextStream += 2;
        byte[] block = H2Frames.block(fields);
        int max = 16_384;
        int flagsEnd = endStream ? H2Frames.END_STREAM : 0;
        if (block.length <= max) {
            writeFrame(H2Frames.HEADERS, flagsEnd | H2Frames.END_HEADERS, stream, block);
        } else {
            writeFrame(H2Frames.HEADERS, flagsEnd, stream, slice(block, 0, max));
            int off = max;
            while (off < block.length) {
                int n = Math.min(max, block.length - off);
                writeFrame(H2Frames.CONTINUATION, off + n == block.length ? H2Frames.END_HEADERS : 0, stream,
                        slice(block, off, n));
                off += n;
            }
        }
        out.flush();
        return stream;
    }

    /** A DATA frame (at most 16 KiB of {@code data}). */
    public void data(int stream, byte[] data, boolean endStream) throws IOException {
        writeFrame(H2Frames.DATA, endStream ? H2Frames.END_STREAM : 0, stream, data);
        out.flush();
    }

    public void windowUpdate(int stream, int increment) throws IOException {
        writeFrame(H2Frames.WINDOW_UPDATE, 0, stream, H2Frames.int31(increment));
        out.flush();
    }

    public void rstStream(int stream, int errorCode) throws IOException {
        writeFrame(H2Frames.RST_STREAM, 0, stream, H2Frames.int32(errorCode));
        out.flush();
    }

    /** Sends a request and reads its response. */
    public H2Response exchange(List<String[]> fields, byte[] body) throws IOException {
        int stream = headers(fields, body == null);
        if (body != null) {
            data(stream, body, true);
        }
        return response(stream);
    }

    /**
     * Reads frames until the stream's response is complete (END_STREAM), the stream is reset, or
     * the connection is closed or sent GOAWAY; other streams' frames are kept for later calls.
     */
    public H2Response response(int stream) throws IOException {
        H2Response.Builder b = streams.computeIfAbsent(stream, k -> new H2Response.Builder(stream));
        while (!b.complete()) {
            if (goAwayError >= 0) {
                return b.goAway(goAwayError);
            }
            if (!readFrame()) {
                return b.connectionClosed();
            }
        }
        streams.remove(stream);
        return b.build();
    }

    /** Replaces the read guard for this connection. */
    /** The server's first SETTINGS frame (an absent parameter has its RFC 9113 default). */
    public Map<Integer, Long> serverSettings() throws IOException {
        while (!serverSettingsSeen) {
            if (!readFrame()) {
                throw new IOException("the connection ended before the server's SETTINGS frame");
            }
        }
        return Map.copyOf(serverSettings);
    }

    public H2Client readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        return this;
    }

    /** @return false when the server closed the connection (or the read guard fired) */
    private boolean readFrame() throws IOException {
        byte[] header = new byte[9];
        try {
            readFully(header);
        } catch (EOFException | SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // A reset connection is as final as a closed one for a test.
            return false;
        }
        int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
        int type = header[3] & 0xff;
        int flags = header[4] & 0xff;
        int stream = ((header[5] & 0x7f) << 24) | (header[6] & 0xff) << 16 | (header[7] & 0xff) << 8 | header[8] & 0xff;
        byte[] payload = new byte[length];
        try {
            readFully(payload);
        } catch (IOException e) {
            return false;
        }
        switch (type) {
            case H2Frames.SETTINGS -> {
                if ((flags & H2Frames.ACK) == 0) {
                    if (!serverSettingsSeen) {
                        for (int i = 0; i + 6 <= payload.length; i += 6) {
                            serverSettings.put((payload[i] & 0xff) << 8 | payload[i + 1] & 0xff,
                                    H2Frames.readInt(payload, i + 2) & 0xffffffffL);
                        }
                        serverSettingsSeen = true;
                    }
                    writeFrame(H2Frames.SETTINGS, H2Frames.ACK, 0, new byte[0]);
                    out.flush();
                }
            }
            case H2Frames.PING -> {
                if ((flags & H2Frames.ACK) == 0) {
                    writeFrame(H2Frames.PING, H2Frames.ACK, 0, payload);
                    out.flush();
                }
            }
            case H2Frames.GOAWAY -> goAwayError = H2Frames.readInt(payload, 4);
            case H2Frames.HEADERS, H2Frames.CONTINUATION -> {
                H2Response.Builder b = streams.computeIfAbsent(stream, H2Response.Builder::new);
                b.headerFragment(type, flags, payload, decoder);
            }
            case H2Frames.DATA -> {
                H2Response.Builder b = streams.computeIfAbsent(stream, H2Response.Builder::new);
                b.data(flags, payload);
                if (length > 0) {
                    // Return the credit on the connection (streams have the largest window already).
                    writeFrame(H2Frames.WINDOW_UPDATE, 0, 0, H2Frames.int31(length));
                    out.flush();
                }
            }
            case H2Frames.RST_STREAM -> streams.computeIfAbsent(stream, H2Response.Builder::new)
                    .reset(H2Frames.readInt(payload, 0));
            default -> {
                // WINDOW_UPDATE, PRIORITY, unknown frames: nothing to do for a test client
            }
        }
        return true;
    }

    private void readFully(byte[] b) throws IOException {
        int off = 0;
        while (off < b.length) {
            int n = in.read(b, off, b.length - off);
            if (n < 0) {
                throw new EOFException();
            }
            off += n;
        }
    }

    private void writeFrame(int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24 & 0x7f), (byte) (stream >>> 16), (byte) (stream >>> 8),
                (byte) stream});
        out.write(payload);
    }

    private static byte[] slice(byte[] b, int off, int len) {
        byte[] s = new byte[len];
        System.arraycopy(b, off, s, 0, len);
        return s;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Frame types, flags and the HPACK encoding the client uses. */
    public static final class H2Frames {
        static final int DATA = 0;
        static final int HEADERS = 1;
        static final int RST_STREAM = 3;
        static final int SETTINGS = 4;
        static final int PING = 6;
        static final int GOAWAY = 7;
        static final int WINDOW_UPDATE = 8;
        static final int CONTINUATION = 9;
        static final int END_STREAM = 0x1;
        static final int ACK = 0x1;
        static final int END_HEADERS = 0x4;
        /** HPACK static table indexes of the request pseudo-header names (RFC 7541 Appendix A). */
        private static final Map<String, Integer> PSEUDO = Map.of(":authority", 1, ":method", 2, ":path", 4,
                ":scheme", 6);

        private H2Frames() {
        }

        /** {@code :method}, {@code :scheme}, {@code :authority}, {@code :path}, then {@code extra} pairs. */
        public static List<String[]> request(String method, String scheme, String authority, String path,
                                             String... extra) {
            List<String[]> f = new ArrayList<>();
            f.add(new String[] {":method", method});
            f.add(new String[] {":scheme", scheme});
            f.add(new String[] {":authority", authority});
            f.add(new String[] {":path", path});
            for (int i = 0; i + 1 < extra.length; i += 2) {
                f.add(new String[] {extra[i], extra[i + 1]});
            }
            return f;
        }

        /** A GET over h2c to 127.0.0.1 with the given path and extra name/value pairs. */
        public static List<String[]> get(String path, String... extra) {
            return request("GET", "http", "127.0.0.1", path, extra);
        }

        /**
         * A header block of literal fields without indexing (RFC 7541 §6.2.2), no Huffman coding.
         * Pseudo-headers use the static table's index for the name (servers refuse literal
         * pseudo-header names) with a literal value; every other name is sent literally.
         */
        static byte[] block(List<String[]> fields) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (String[] f : fields) {
                Integer index = PSEUDO.get(f[0]);
                if (index != null) {
                    integer(b, 0x00, 4, index);
                } else {
                    b.write(0x00);
                    string(b, f[0]);
                }
                string(b, f[1]);
            }
            return b.toByteArray();
        }

        /** One literal field without indexing, new name, for tests that build blocks themselves. */
        public static byte[] literal(String name, String value) {
            return block(List.<String[]>of(new String[] {name, value}));
        }

        private static void string(ByteArrayOutputStream b, String s) {
            byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
            integer(b, 0x00, 7, bytes.length); // H bit clear: raw octets
            b.write(bytes, 0, bytes.length);
        }

        /** An HPACK integer with an {@code prefixBits}-bit prefix (RFC 7541 §5.1). */
        private static void integer(ByteArrayOutputStream b, int firstBits, int prefixBits, int value) {
            int max = (1 << prefixBits) - 1;
            if (value < max) {
                b.write(firstBits | value);
                return;
            }
            b.write(firstBits | max);
            value -= max;
            while (value >= 128) {
                b.write((value & 0x7f) | 0x80);
                value >>>= 7;
            }
            b.write(value);
        }

        static byte[] settings(int id, int value) {
            return new byte[] {(byte) (id >>> 8), (byte) id, (byte) (value >>> 24), (byte) (value >>> 16),
                    (byte) (value >>> 8), (byte) value};
        }

        static byte[] int31(int value) {
            return int32(value & 0x7fffffff);
        }

        static byte[] int32(int value) {
            return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        }

        static int readInt(byte[] b, int off) {
            return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | b[off + 3] & 0xff;
        }
    }
}
