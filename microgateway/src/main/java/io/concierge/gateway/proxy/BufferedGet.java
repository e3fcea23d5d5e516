package io.concierge.gateway.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.concierge.gateway.balancing.Upstream;
import io.concierge.gateway.pool.UpstreamConnection;
import io.concierge.gateway.balancing.UpstreamGroup;

/**
 * A GET whose response body is read whole, within a size limit, for features that need the body
 * rather than relay it (composition). Same client as the proxy: pooled connections from the
 * group's instances, the target written byte for byte, an instance that refuses the connection
 * skipped, a pooled connection that died before any byte of an answer came back replaced once
 * (the upstream cannot have processed the GET; anything later is never sent again). Every read waits at
 * most until {@code deadline}, so a slow upstream can never hold the caller past it.
 */
public final class BufferedGet {
    private static final int CHUNK = 8192;
    /** The buffer grows as bytes arrive: a declared Content-Length alone reserves no more than this. */
    private static final int MAX_INITIAL_CAPACITY = 64 * 1024;

    /** A complete response: status, its {@code Content-Type} (or null) and the body. */
    /** @param host and @param port: the instance that answered */
    public record Response(int status, String contentType, byte[] body, String host, int port) {
    }

    /** The body was longer than allowed; the connection was closed, not drained. */
    public static final class TooLargeException extends IOException {
        TooLargeException(long limit) {
            super("the response body is larger than " + limit + " bytes");
        }
    }

    /** No instance of the group accepted a connection (or the group has none). */
    public static final class NoInstanceException extends IOException {
        NoInstanceException(String message, IOException cause) {
            super(message, cause);
        }
    }

    private BufferedGet() {
    }

    /**
     * @param headers    extra request header lines as name/value pairs
     * @throws UnsafeRequestHeadException when the target or a header would break the head (nothing is sent)
     * @param deadline   {@link System#nanoTime()} after which the call fails with a timeout
     * @param maxBody    largest body accepted, in bytes
     * @throws SocketTimeoutException when the deadline passes
     */
    public static Response get(UpstreamGroup group, String target, List<String[]> headers, long deadline, long maxBody)
            throws IOException {
        // Checked before any instance is chosen: a head that is refused never opens a connection.
        String requestLine = RequestHeadWriter.requestLine("GET", target);
        RequestHeadWriter writer = new RequestHeadWriter(256).header("Accept", "application/json");
        for (String[] h : headers) {
            writer.header(h[0], h[1]);
        }
        String lines = writer.lines();
        Set<Upstream> excluded = new HashSet<>(4);
        IOException lastRefusal = null;
        while (true) {
            Upstream upstream = group.balancer().choose(group.instances(), excluded);
            if (upstream == null) {
                throw new NoInstanceException(group.instances().isEmpty() ? "'" + group.name() + "' has no live instance"
                        : "no instance of '" + group.name() + "' accepted the connection", lastRefusal);
            }
            upstream.acquired();
            try {
                UpstreamConnection conn = upstream.pool().pooled();
                boolean fresh = conn == null;
                if (fresh) {
                    try {
                        conn = upstream.pool().open(min(group.connectTimeout(), remaining(deadline)));
                    } catch (IOException e) {
                        if (remaining(deadline).isZero()) {
                            throw new SocketTimeoutException("no connection within the deadline");
                        }
                        excluded.add(upstream);
                        lastRefusal = e;
                        continue;
                    }
                }
                String head = head(requestLine, upstream, lines);
                long receivedBefore = conn.in().received();
                try {
                    return exchange(conn, upstream, head, deadline, maxBody);
                } catch (TooLargeException | SocketTimeoutException e) {
                    throw e;
                } catch (IOException e) {
                    if (fresh || !unanswered(conn, receivedBefore)) {
                        throw e;
                    }
                    // A keep-alive connection the upstream had closed before reading the request:
                    // not a byte of an answer came back, so nothing was processed.
                    conn = upstream.pool().open(min(group.connectTimeout(), remaining(deadline)));
                    return exchange(conn, upstream, head, deadline, maxBody);
                }
            } finally {
                upstream.released();
            }
        }
    }

    /**
     * Whether a failed exchange may be sent again: only when not one byte of a response arrived (a
     * head, even a malformed one, or part of a body means the upstream processed the GET) and the
     * caller was not cancelled (an interrupt closes the channel; sending again would ignore it).
     */
    private static boolean unanswered(UpstreamConnection conn, long receivedBefore) {
        return conn.in().received() == receivedBefore && !Thread.currentThread().isInterrupted();
    }

    private static String head(String requestLine, Upstream upstream, String lines) throws UnsafeRequestHeadException {
        return RequestHeadWriter.assemble(requestLine, upstream.authority(), lines, "", "");
    }

    private static Response exchange(UpstreamConnection conn, Upstream upstream, String head, long deadline,
                                     long maxBody) throws IOException {
        boolean clean = false;
        boolean reusable = false;
        try {
            conn.readTimeout(positive(deadline));
            conn.out().write(head.getBytes(StandardCharsets.ISO_8859_1));
            conn.out().flush();
            ResponseHead response = ResponseHead.readFinal(conn, deadline);
            int status = response.status();
            long length = response.hasTransferEncoding() ? -1 : response.contentLength();
            if (length > maxBody) {
                throw new TooLargeException(maxBody);
            }
            InputStream body;
            reusable = !response.connectionClose();
            if (status == 204 || status == 304) {
                body = InputStream.nullInputStream();
            } else if (response.chunked()) {
                body = new ChunkedInputStream(conn.in());
            } else if (length >= 0) {
                body = new FixedLengthInputStream(conn.in(), length);
            } else {
                body = conn.in();
                reusable = false;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(
                    length > 0 ? (int) Math.min(length, MAX_INITIAL_CAPACITY) : 1024);
            byte[] buf = new byte[CHUNK];
            while (true) {
                conn.readTimeout(positive(deadline));
                int n = body.read(buf);
                if (n < 0) {
                    break;
                }
                if (out.size() + (long) n > maxBody) {
                    throw new TooLargeException(maxBody);
                }
                out.write(buf, 0, n);
            }
            List<String> types = response.values("Content-Type");
            clean = true;
            return new Response(status, types.isEmpty() ? null : types.get(0), out.toByteArray(), upstream.host(),
                    upstream.port());
        } finally {
            if (clean && reusable) {
                upstream.pool().release(conn);
            } else {
                conn.close();
            }
        }
    }

    private static Duration remaining(long deadline) {
        long left = deadline - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    /** The time left, at least 1 ms (0 would mean "wait forever" to a socket); past it, a timeout. */
    private static Duration positive(long deadline) throws SocketTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return Duration.ofNanos(Math.max(left, 1_000_000));
    }

    private static Duration min(Duration a, Duration b) {
        Duration m = a.compareTo(b) <= 0 ? a : b;
        return m.isZero() ? Duration.ofMillis(1) : m;
    }
}
