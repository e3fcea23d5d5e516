package io.concierge.gateway.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * An HTTP/1.1 client on a raw socket, for tests where the bytes matter: it sends exactly the text
 * it is given (nothing is normalised, added or re-encoded) and reads a response as it came.
 * A socket timeout guards every read so a broken server fails a test instead of hanging it.
 */
public final class WireClient implements AutoCloseable {
    private static final Duration READ_GUARD = Duration.ofSeconds(60);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int port;

    private WireClient(Socket socket, int port) throws IOException {
        this.socket = socket;
        this.port = port;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    public static WireClient connect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) READ_GUARD.toMillis());
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            return new WireClient(s, port);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Replaces the read guard (60s by default) for this connection, so a test that expects the
     * server to act within a known time fails within it too.
     */
    public WireClient readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        return this;
    }

    /** One request on a new connection: a head built from the parts, then the response. */
    public static WireResponse exchange(int port, String method, String target, String... headerLines)
            throws IOException {
        try (WireClient c = connect(port)) {
            c.send(c.head(method, target, headerLines));
            return method.equals("HEAD") ? c.readHeadResponse() : c.readResponse();
        }
    }

    /** {@code METHOD target HTTP/1.1}, a Host line, the given lines, and the empty line. */
    public String head(String method, String target, String... headerLines) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(port).append("\r\n");
        for (String line : headerLines) {
            sb.append(line).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** Sends ISO-8859-1 text as is and flushes. */
    public WireClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public WireClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** The raw output, for streaming a large body; remember to flush. */
    public OutputStream output() {
        return out;
    }

    /** Reads the response to a request that was not HEAD. */
    public WireResponse readResponse() throws IOException {
        return read(false);
    }

    /** Reads the response to a HEAD request: never a body, whatever the head says. */
    public WireResponse readHeadResponse() throws IOException {
        return read(true);
    }

    private WireResponse read(boolean head) throws IOException {
        String statusLine = WireIo.readLine(in, 64 * 1024);
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("not a status line: '" + statusLine + "'");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        List<String> headerLines = WireIo.readHeaderLines(in, 1024 * 1024);
        long length = WireIo.contentLength(headerLines);
        boolean chunked = WireIo.chunked(headerLines);
        Framing framing;
        WireIo.Body body;
        if (head || status == 204 || status == 304 || status < 200) {
            framing = chunked ? Framing.CHUNKED : length >= 0 ? Framing.CONTENT_LENGTH : Framing.NONE;
            body = new WireIo.Body(0, GeneratedBytes.sha256(0), new byte[0], 0, List.of());
        } else if (chunked) {
            framing = Framing.CHUNKED;
            body = WireIo.readChunked(in);
        } else if (length >= 0) {
            framing = Framing.CONTENT_LENGTH;
            body = WireIo.readPlain(in, length);
        } else {
            framing = Framing.UNTIL_CLOSE;
            body = WireIo.readPlain(in, -1);
        }
        return new WireResponse(statusLine, status, List.copyOf(headerLines), framing, body.length(), body.sha256(),
                body.bytes());
    }

    /**
     * Whether the server has closed the connection: true at end of stream or on a reset, false if
     * it sends anything instead. Blocks until one of those happens (at most the read guard).
     */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    /** Everything the server sends until it closes the connection, as ISO-8859-1 text. */
    public String readUntilClosed() throws IOException {
        StringBuilder sb = new StringBuilder();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                sb.append((char) b);
            }
        } catch (SocketException e) {
            // a reset ends the conversation too
        }
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
