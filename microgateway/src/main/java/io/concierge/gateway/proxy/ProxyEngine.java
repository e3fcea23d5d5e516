package io.concierge.gateway.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.concierge.gateway.balancing.Upstream;
import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.requestid.RequestIds;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The streaming reverse proxy shared by the edge and every gateway: one client request becomes one
 * upstream exchange on a pooled keep-alive connection, bodies streamed both ways.
 *
 * <p>Failure rules: an instance that refuses the connection is skipped for this request (nothing
 * was sent, so any method may go elsewhere); a pooled connection that turns out dead before any
 * response byte is replaced by a fresh one only when the request is idempotent and has no body; a
 * timeout waiting for the response is a 504; anything else before the response head is a 502; a
 * failure after the head was sent aborts the client connection, since the status is already out.
 */
public final class ProxyEngine {
    private static final Logger LOG = Logger.getLogger(ProxyEngine.class.getName());
    private static final int BUFFER = 16 * 1024;
    private static final Set<Method> IDEMPOTENT = Set.of(Method.GET, Method.HEAD, Method.OPTIONS, Method.PUT,
            Method.DELETE, Method.TRACE);
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "expect",
            "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded", "via", "x-request-id");

    private final String viaName;

    /** @param viaName this hop's pseudonym in {@code Via}, e.g. {@code concierge-products} */
    public ProxyEngine(String viaName) {
        this.viaName = viaName;
    }

    public void forward(ServerRequest req, ServerResponse res, UpstreamGroup group, String requestTarget,
                        Duration connectTimeout, Duration readTimeout, String requestId) {
        forward(req, res, group, requestTarget, connectTimeout, readTimeout, requestId, null);
    }

    /**
     * @param changes headers the pipeline adds or strips on the way upstream, or null
     */
    public void forward(ServerRequest req, ServerResponse res, UpstreamGroup group, String requestTarget,
                        Duration connectTimeout, Duration readTimeout, String requestId, UpstreamHeaders changes) {
        Method method = req.prologue().method();
        boolean clientChunked = req.headers().contains(HeaderNames.TRANSFER_ENCODING);
        OptionalLong declared = req.headers().contentLength();
        long length = clientChunked ? -1 : declared.orElse(method == Method.POST || method == Method.PUT
                || method == Method.PATCH ? 0 : -1);
        boolean hasBody = clientChunked || length > 0;
        String commonHead = commonHead(req, requestId, changes);
        String framing = clientChunked ? "Transfer-Encoding: chunked\r\n"
                : length >= 0 ? "Content-Length: " + length + "\r\n" : "";
        boolean replayable = !hasBody && IDEMPOTENT.contains(method);

        Set<Upstream> excluded = null;
        IOException lastConnectFailure = null;
        while (true) {
            Upstream upstream = group.balancer().choose(group.instances(),
                    excluded == null ? Set.of() : excluded);
            if (upstream == null) {
                break;
            }
            upstream.acquired();
            try {
                UpstreamConnection conn = upstream.pool().pooled();
                boolean fresh = conn == null;
                if (fresh) {
                    try {
                        conn = upstream.pool().open(connectTimeout);
                    } catch (IOException e) {
                        if (excluded == null) {
                            excluded = new HashSet<>(4);
                        }
                        excluded.add(upstream);
                        lastConnectFailure = e;
                        LOG.log(Level.FINE, () -> group.name() + ": " + upstream + " refused: " + e);
                        continue;
                    }
                }
                String head = method.text() + " " + requestTarget + " HTTP/1.1\r\nHost: " + upstream.authority()
                        + "\r\n" + commonHead + framing + "\r\n";
                ResponseHead response;
                try {
                    response = send(conn, head, req, clientChunked, length, hasBody, readTimeout, method);
                } catch (ClientBodyException e) {
                    conn.close();
                    throw e.unchecked();
                } catch (IOException e) {
                    conn.close();
                    if (!fresh && replayable && !(e instanceof SocketTimeoutException)) {
                        // A keep-alive connection the upstream had already closed: nothing of the
                        // request was processed, so one retry on a new connection is safe.
                        try {
                            conn = upstream.pool().open(connectTimeout);
                            response = send(conn, head, req, false, length, false, readTimeout, method);
                        } catch (IOException retryFailure) {
                            conn.close();
                            fail(res, group, retryFailure, readTimeout, requestId);
                            return;
                        }
                    } else {
                        fail(res, group, e, readTimeout, requestId);
                        return;
                    }
                }
                relay(conn, upstream, response, req, res, method, requestId);
                return;
            } finally {
                upstream.released();
            }
        }
        noInstance(res, group, lastConnectFailure, requestId);
    }

    private String commonHead(ServerRequest req, String requestId, UpstreamHeaders changes) {
        HopByHop hop = HopByHop.of(req.headers().values(HeaderNames.CONNECTION));
        StringBuilder sb = new StringBuilder(512);
        for (Header h : req.headers()) {
            String lower = h.name().toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(lower) || hop.isHopByHop(lower) || changes != null && changes.isRemoved(lower)) {
                continue;
            }
            for (String v : h.allValues()) {
                sb.append(h.name()).append(": ").append(v).append("\r\n");
            }
        }
        if (changes != null) {
            for (String[] h : changes.added()) {
                sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
        }
        ForwardedHeaders.append(sb, req, viaName);
        sb.append("X-Request-Id: ").append(requestId).append("\r\n");
        return sb.toString();
    }

    /** Writes the request and reads the final response head (interim 1xx responses are skipped). */
    private static ResponseHead send(UpstreamConnection conn, String head, ServerRequest req, boolean chunked,
                                     long length, boolean hasBody, Duration readTimeout, Method method)
            throws IOException {
        conn.readTimeout(readTimeout);
        OutputStream out = conn.out();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (hasBody) {
            writeBody(req.content().inputStream(), out, chunked, length);
        }
        out.flush();
        while (true) {
            ResponseHead response = ResponseHead.read(conn.in());
            if (response == null) {
                throw new UpstreamProtocolException("upstream closed the connection without a response");
            }
            if (response.status() >= 200) {
                return response;
            }
            if (response.status() == 101) {
                throw new UpstreamProtocolException("upstream switched protocols, which is not supported");
            }
        }
    }

    private static void writeBody(InputStream body, OutputStream out, boolean chunked, long length)
            throws IOException {
        byte[] buf = new byte[BUFFER];
        OutputStream target = chunked ? new ChunkedOutputStream(out) : out;
        long copied = 0;
        while (true) {
            int n;
            try {
                n = body.read(buf);
            } catch (IOException | RuntimeException e) {
                throw new ClientBodyException(e);
            }
            if (n < 0) {
                break;
            }
            target.write(buf, 0, n);
            copied += n;
        }
        if (chunked) {
            ((ChunkedOutputStream) target).finish();
        } else if (copied != length) {
            throw new ClientBodyException(new IOException("request body ended after " + copied + " of " + length + " bytes"));
        }
    }

    private void relay(UpstreamConnection conn, Upstream upstream, ResponseHead response, ServerRequest req,
                       ServerResponse res, Method method, String requestId) {
        int status = response.status();
        boolean noBody = method == Method.HEAD || status == 204 || status == 304;
        long length;
        try {
            length = response.hasTransferEncoding() ? -1 : response.contentLength();
        } catch (UpstreamProtocolException e) {
            conn.close();
            Problem.send(res, 502, "Bad Gateway", "the upstream sent an invalid response", requestId);
            return;
        }
        res.status(response.reason().isEmpty() ? Status.create(status) : Status.create(status, response.reason()));
        HopByHop hop = HopByHop.of(response.values("Connection"));
        List<String> via = response.values("Via");
        for (String[] h : response.headers()) {
            String lower = h[0].toLowerCase(Locale.ROOT);
            if (hop.isHopByHop(lower) || lower.equals("content-length") || lower.equals("via")
                    || lower.equals("x-request-id") || lower.equals("date")) {
                continue;
            }
            res.headers().add(HeaderValues.create(h[0], h[1]));
        }
        String viaValue = response.http11() ? "1.1 " + viaName : "1.0 " + viaName;
        res.headers().set(HeaderNames.VIA, via.isEmpty() ? viaValue : String.join(", ", via) + ", " + viaValue);
        res.headers().set(RequestIds.HEADER, requestId);
        boolean reusable = !response.connectionClose();
        if (noBody) {
            if (method == Method.HEAD && length >= 0) {
                res.headers().set(HeaderNames.CONTENT_LENGTH, length);
            }
            res.send();
            finish(conn, upstream, reusable);
            return;
        }
        InputStream body;
        if (response.chunked()) {
            body = new ChunkedInputStream(conn.in());
        } else if (length >= 0) {
            res.headers().set(HeaderNames.CONTENT_LENGTH, length);
            body = new FixedLengthInputStream(conn.in(), length);
        } else {
            // No framing: the body runs until the upstream closes the connection.
            body = conn.in();
            reusable = false;
        }
        byte[] buf = new byte[BUFFER];
        boolean clean = false;
        try (OutputStream out = res.outputStream()) {
            int n;
            while ((n = body.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            clean = true;
        } catch (IOException e) {
            // The status line is gone already; all that is left is to cut the client connection so
            // it cannot mistake a truncated body for a complete one.
            throw new UncheckedIOException("response body from " + upstream + " failed", e);
        } finally {
            if (clean && reusable) {
                upstream.pool().release(conn);
            } else {
                conn.close();
            }
        }
    }

    private static void finish(UpstreamConnection conn, Upstream upstream, boolean reusable) {
        if (reusable) {
            upstream.pool().release(conn);
        } else {
            conn.close();
        }
    }

    private static void fail(ServerResponse res, UpstreamGroup group, IOException e, Duration readTimeout,
                             String requestId) {
        if (e instanceof SocketTimeoutException) {
            Problem.send(res, 504, "Gateway Timeout", "'" + group.name() + "' did not answer within "
                    + readTimeout.toMillis() + " ms", requestId);
        } else {
            LOG.log(Level.FINE, () -> group.name() + ": exchange failed: " + e);
            Problem.send(res, 502, "Bad Gateway", "'" + group.name() + "' failed to answer: "
                    + (e instanceof UpstreamProtocolException ? e.getMessage() : "connection lost"), requestId);
        }
    }

    private static void noInstance(ServerResponse res, UpstreamGroup group, IOException lastFailure,
                                   String requestId) {
        if (lastFailure instanceof SocketTimeoutException || lastFailure != null && !(lastFailure instanceof ConnectException)
                && lastFailure.getMessage() != null && lastFailure.getMessage().contains("timed out")) {
            Problem.send(res, 504, "Gateway Timeout", "no instance of '" + group.name()
                    + "' accepted a connection in time", requestId);
            return;
        }
        Problem.send(res, 502, "Bad Gateway", group.instances().isEmpty()
                ? "'" + group.name() + "' has no instances"
                : "no instance of '" + group.name() + "' accepted the connection", requestId);
    }

    /** The client's own body failed (aborted upload, read timeout): not the upstream's fault. */
    private static final class ClientBodyException extends IOException {
        ClientBodyException(Exception cause) {
            super(cause.getMessage(), cause);
        }

        RuntimeException unchecked() {
            return getCause() instanceof RuntimeException re ? re : new UncheckedIOException(this);
        }
    }
}
