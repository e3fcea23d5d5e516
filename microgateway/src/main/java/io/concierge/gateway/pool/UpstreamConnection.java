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
 *
 * <p>Reads are untimed at the socket ({@code SO_TIMEOUT} stays 0): on a virtual thread a timed read
 * is a timed park, and its timer work (a task scheduled and cancelled, the timer thread woken) was,
 * with the client side's timed reads, about 30 % of a gateway hop's CPU per request. The read
 * timeout is enforced by a {@link UpstreamReadWatch} and the {@link UpstreamReadSweeper} instead, which
 * closes the connection of an overdue read; the reader then throws {@link SocketTimeoutException},
 * as with {@code SO_TIMEOUT}. A read times out between its timeout and its timeout plus the
 * sweeper's period (at most 100 ms), never earlier.
 */
public final class UpstreamConnection implements AutoCloseable {
    private static final int BUFFER = 16 * 1024;
    /** Far beyond any configured timeout, and small enough that no deadline on the sweeper's clock overflows. */
    private static final long MAX_TIMEOUT_NANOS = Long.MAX_VALUE / 4;

    private final SocketChannel channel;
    private final boolean tls;
    private final UpstreamReadWatch watch;
    private final UpstreamReadSweeper sweeper;
    private final HeadReader in;
    private final OutputStream out;
    /** The one byte {@link #stillUsable} reads into; a connection is checked by one thread at a time. */
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    /** Where a request head is composed before it is written: reused, one exchange at a time. */
    private byte[] headBuffer = new byte[0];
    private long idleSince;
    private int uses;

    private UpstreamConnection(SocketChannel channel, SSLSocket tls, UpstreamReadSweeper sweeper) throws IOException {
        this.channel = channel;
        this.tls = tls != null;
        this.sweeper = sweeper;
        this.watch = new UpstreamReadWatch(sweeper, channel);
        this.in = new HeadReader(tls != null ? tls.getInputStream() : channel.socket().getInputStream(), BUFFER,
                watch);
        this.out = new BufferedOutputStream(tls != null ? tls.getOutputStream() : channel.socket().getOutputStream(),
                BUFFER);
    }

    /**
     * Connects and, with {@code tls}, completes the TLS handshake, both within {@code connectTimeout}
     * each: a handshake that fails (untrusted or expired certificate, wrong name, client certificate
     * refused) is a failed connect, as a refused connection is. The connection's reads are watched by
     * {@code sweeper} from now until it is closed.
     */
    static UpstreamConnection open(String host, int port, Duration connectTimeout, UpstreamTls tls,
                                   UpstreamReadSweeper sweeper) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            int timeout = (int) Math.max(1, connectTimeout.toMillis());
            ch.socket().setTcpNoDelay(true);
            ch.socket().setKeepAlive(true);
            ch.socket().connect(new InetSocketAddress(host, port), timeout);
            UpstreamConnection c = new UpstreamConnection(ch,
                    tls == null ? null : tls.handshake(ch.socket(), host, port, timeout), sweeper);
            sweeper.register(c.watch);
            return c;
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

    /**
     * Each following read on this connection (head or body) may wait {@code timeout} for bytes, then
     * it throws {@link SocketTimeoutException} and the connection is closed. Only recorded here (the
     * socket's own timeout stays 0, see the class comment); enforced between the timeout and the
     * timeout plus the sweeper's period, never earlier: a try capped at the request's remaining
     * deadline must not end before it, or the retry layer sees time left and starts one more try
     * that cannot finish.
     */
    public void readTimeout(Duration timeout) {
        watch.timeout(Math.clamp(saturatedNanos(timeout), 1, MAX_TIMEOUT_NANOS));
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? 1 : MAX_TIMEOUT_NANOS;
        }
    }

    /** The socket's own read timeout in milliseconds; 0 (untimed) is the point, see the class comment. */
    int socketTimeoutMillis() throws IOException {
        return channel.socket().getSoTimeout();
    }

    /** Whether the connection is still open (it is not once closed, or once a read timed out). */
    boolean isOpen() {
        return channel.isOpen();
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
     * the TLS layer still holds count as unsolicited too. (Asked only over TLS: on a plain socket
     * {@code available()} is one more system call and tells nothing the probe read does not.)
     *
     * <p>A connection whose read timed out is never usable again (the sweeper closed it).
     */
    boolean stillUsable() {
        if (watch.timedOut() || !in.isDrained() || tls && in.sourceHasBytes()) {
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
        sweeper.drop(watch);
    }

    /**
     * A buffered reader for response heads that then serves the body bytes that followed them. Every
     * read from the upstream goes through its {@link UpstreamReadWatch}, so the read timeout covers body reads
     * as well as the head.
     */
    public static final class HeadReader extends InputStream {
        private final InputStream source;
        private final UpstreamReadWatch watch;
        private final byte[] buf;
        private int pos;
        private int limit;
        private long received;

        /** A reader whose reads are never timed out (over a stream that is not a connection's). */
        HeadReader(InputStream source, int size) {
            this(source, size, new UpstreamReadWatch(null, null));
        }

        HeadReader(InputStream source, int size, UpstreamReadWatch watch) {
            this.source = source;
            this.buf = new byte[size];
            this.watch = watch;
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
            int n = watchedRead(buf, 0, buf.length);
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
            int n = watchedRead(b, off, len);
            if (n > 0) {
                received += n;
            }
            return n;
        }

        /**
         * A blocking read from the upstream under the read timeout: a read the sweeper cut (it closed
         * the channel, so the read failed or returned late) is a {@link SocketTimeoutException}.
         */
        private int watchedRead(byte[] b, int off, int len) throws IOException {
            watch.begin();
            int n;
            try {
                n = source.read(b, off, len);
            } catch (IOException e) {
                if (!watch.end()) {
                    throw watch.timeoutException(e);
                }
                throw e;
            }
            if (!watch.end()) {
                throw watch.timeoutException(null);
            }
            return n;
        }
    }

    static boolean isTimeout(IOException e) {
        return e instanceof SocketTimeoutException;
    }
}
