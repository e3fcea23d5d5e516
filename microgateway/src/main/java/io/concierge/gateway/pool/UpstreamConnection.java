package io.concierge.gateway.pool;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import javax.net.ssl.SSLSocket;

import io.concierge.gateway.tls.UpstreamTls;

/**
 * One HTTP/1.1 connection to an upstream, on a blocking socket (cheap on virtual threads).
 *
 * <p>We use our own client rather than Helidon's WebClient for the proxy path; see
 * docs/architecture.md: it forwards the request target byte for byte, keeps a known
 * Content-Length, and its idle check never consumes a byte of the next response.
 *
 * <p>Over TLS the streams are an {@link SSLSocket}'s layered on the same channel; the channel
 * still serves the idle check (below) and the read timeout.
 */
public final class UpstreamConnection implements AutoCloseable {
    private static final int BUFFER = 16 * 1024;

    private final SocketChannel channel;
    private final HeadReader in;
    private final OutputStream out;
    /** The one byte {@link #stillUsable} reads into; a connection is checked by one thread at a time. */
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    /** Where a request head is composed before it is written: reused, one exchange at a time. */
    private byte[] headBuffer = new byte[0];
    private long idleSince;
    private int uses;

    private UpstreamConnection(SocketChannel channel, SSLSocket tls) throws IOException {
        this.channel = channel;
        this.in = new HeadReader(tls != null ? tls.getInputStream() : channel.socket().getInputStream(), BUFFER);
        this.out = new BufferedOutputStream(tls != null ? tls.getOutputStream() : channel.socket().getOutputStream(),
                BUFFER);
    }

    /**
     * Connects and, with {@code tls}, completes the TLS handshake, both within {@code connectTimeout}
     * each: a handshake that fails (untrusted or expired certificate, wrong name, client certificate
     * refused) is a failed connect, as a refused connection is.
     */
    static UpstreamConnection open(String host, int port, Duration connectTimeout, UpstreamTls tls) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            int timeout = (int) Math.max(1, connectTimeout.toMillis());
            ch.socket().setTcpNoDelay(true);
            ch.socket().setKeepAlive(true);
            ch.socket().connect(new InetSocketAddress(host, port), timeout);
            return new UpstreamConnection(ch, tls == null ? null : tls.handshake(ch.socket(), host, port, timeout));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * A buffer of at least {@code size} bytes to compose the next request head in, reused by this
     * connection, so a request allocates no head array of its own.
     */
    public byte[] headBuffer(int size) {
        if (headBuffer.length < size) {
            headBuffer = new byte[Math.max(size, 512)];
        }
        return headBuffer;
    }

    public HeadReader in() {
        return in;
    }

    public OutputStream out() {
        return out;
    }

    /** True once this connection has carried an exchange and came back from the pool. */
    public boolean reused() {
        return uses > 0;
    }

    void markIdle(long nanos) {
        uses++;
        idleSince = nanos;
    }

    long idleSince() {
        return idleSince;
    }

    public void readTimeout(Duration timeout) throws IOException {
        // Rounded up to the socket's millisecond resolution: a try capped at the request's remaining
        // deadline must not time out a fraction of a millisecond before it, or the retry layer sees
        // time left and starts one more try that cannot finish.
        long millis = timeout.toMillis() + (timeout.toNanosPart() % 1_000_000 == 0 ? 0 : 1);
        channel.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, millis)));
    }

    /**
     * Whether an idle connection can carry another request. A non-blocking read tells: 0 bytes means
     * open and quiet; -1 means the upstream closed it; any byte means the upstream sent something
     * unsolicited, so the connection is out of step and must not be used. Nothing read here is ever
     * handed to the next exchange.
     *
     * <p>Over TLS the same read on the channel sees raw records: a pending record after a completed
     * exchange is a close_notify alert or unsolicited data, either way the end of this connection
     * (the byte it consumed would break the TLS stream, but the connection is then closed). Session
     * tickets arrive before the first response and are consumed while it is read. Decrypted bytes
     * the TLS layer still holds count as unsolicited too.
     */
    boolean stillUsable() {
        if (!in.isDrained() || in.sourceHasBytes()) {
            return false;
        }
        try {
            channel.configureBlocking(false);
            try {
                probe.clear();
                return channel.read(probe) == 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing useful to do: the socket is gone either way.
        }
    }

    /** A buffered reader for response heads that then serves the body bytes that followed them. */
    public static final class HeadReader extends InputStream {
        private final InputStream source;
        private final byte[] buf;
        private int pos;
        private int limit;
        private long received;

        HeadReader(InputStream source, int size) {
            this.source = source;
            this.buf = new byte[size];
        }

        boolean isDrained() {
            return pos >= limit;
        }

        /** Whether the layer below holds bytes already (a TLS socket's decrypted data; 0 for a plain one). */
        boolean sourceHasBytes() {
            try {
                return source.available() > 0;
            } catch (IOException e) {
                return true;
            }
        }

        /** Bytes received from the upstream on this connection so far (tells whether an answer began). */
        public long received() {
            return received;
        }

        /** Reads one CRLF (or LF) terminated line as ISO-8859-1, or null at end of stream. */
        public String readLine(int maxLength) throws IOException {
            if (pos >= limit && !fill()) {
                return null;
            }
            // The usual case, the whole line already in the buffer: one String and nothing else.
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    int start = pos;
                    if (i - start > maxLength) {
                        throw new UpstreamProtocolException("response header line longer than " + maxLength + " bytes");
                    }
                    pos = i + 1;
                    int end = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                    return new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
                }
            }
            return readLineAcrossReads(maxLength);
        }

        /** A line that continues beyond what the buffer holds: collected over several reads. */
        private String readLineAcrossReads(int maxLength) throws IOException {
            StringBuilder sb = null;
            while (true) {
                if (pos >= limit && !fill()) {
                    if (sb == null) {
                        return null;
                    }
                    throw new UpstreamProtocolException("connection closed in the middle of a header line");
                }
                int start = pos;
                while (pos < limit && buf[pos] != '\n') {
                    pos++;
                }
                int len = pos - start;
                if (sb == null) {
                    sb = new StringBuilder(Math.max(16, len));
                }
                if (sb.length() + len > maxLength) {
                    throw new UpstreamProtocolException("response header line longer than " + maxLength + " bytes");
                }
                for (int i = start; i < pos; i++) {
                    sb.append((char) (buf[i] & 0xff));
                }
                if (pos < limit) {
                    pos++; // the '\n'
                    int n = sb.length();
                    if (n > 0 && sb.charAt(n - 1) == '\r') {
                        sb.setLength(n - 1);
                    }
                    return sb.toString();
                }
            }
        }

        private boolean fill() throws IOException {
            int n = source.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            limit = n;
            received += n;
            return true;
        }

        @Override
        public int read() throws IOException {
            if (pos >= limit && !fill()) {
                return -1;
            }
            return buf[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pos < limit) {
                int n = Math.min(len, limit - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
                return n;
            }
            int n = source.read(b, off, len);
            if (n > 0) {
                received += n;
            }
            return n;
        }
    }

    static boolean isTimeout(IOException e) {
        return e instanceof SocketTimeoutException;
    }
}
