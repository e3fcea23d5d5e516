package io.concierge.gateway.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.UnaryOperator;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.Header;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.ServerResponseTrailers;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * A response that goes nowhere but memory: status, headers and at most {@code maxBody} bytes of body,
 * for a local composition call, which needs the whole answer of a route to merge it. A longer body is
 * not kept: the write that passes the limit fails (the proxy then stops relaying and drops the
 * upstream connection instead of draining it) and {@link #tooLarge()} says so.
 */
public final class CapturedResponse implements ServerResponse {
    private final long maxBody;
    private final ServerResponseHeaders headers = ServerResponseHeaders.create();
    private final Bounded body = new Bounded();
    private Status status = Status.OK_200;
    private boolean sent;
    private boolean tooLarge;

    public CapturedResponse(long maxBody) {
        this.maxBody = maxBody;
    }

    /** The body as written, complete unless {@link #tooLarge()}. */
    public byte[] body() {
        return body.toByteArray();
    }

    /** Whether the answer's body was longer than the limit (and so was cut). */
    public boolean tooLarge() {
        return tooLarge;
    }

    @Override
    public ServerResponse status(Status status) {
        this.status = status;
        return this;
    }

    @Override
    public Status status() {
        return status;
    }

    @Override
    public ServerResponse header(Header header) {
        headers.set(header);
        return this;
    }

    @Override
    public ServerResponseHeaders headers() {
        return headers;
    }

    @Override
    public ServerResponseTrailers trailers() {
        throw new UnsupportedOperationException("an in-memory answer has no trailers");
    }

    @Override
    public void send() {
        sent = true;
    }

    @Override
    public void send(byte[] bytes) {
        send(bytes, 0, bytes.length);
    }

    @Override
    public void send(byte[] bytes, int position, int length) {
        sent = true;
        try {
            body.write(bytes, position, length);
        } catch (IOException e) {
            // over the limit: tooLarge() tells the caller; the bytes kept are not used
        }
    }

    @Override
    public void send(Object entity) {
        if (entity instanceof byte[] bytes) {
            send(bytes);
            return;
        }
        if (entity instanceof String s) {
            send(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        throw new UnsupportedOperationException("an in-memory answer takes bytes, not " + entity.getClass());
    }

    @Override
    public boolean isSent() {
        return sent;
    }

    @Override
    public OutputStream outputStream() {
        sent = true;
        return body;
    }

    @Override
    public long bytesWritten() {
        return body.size();
    }

    @Override
    public ServerResponse whenSent(Runnable listener) {
        throw new UnsupportedOperationException("not used on an in-memory answer");
    }

    @Override
    public ServerResponse reroute(String newPath) {
        throw new UnsupportedOperationException("not used on an in-memory answer");
    }

    @Override
    public ServerResponse reroute(String path, UriQuery query) {
        throw new UnsupportedOperationException("not used on an in-memory answer");
    }

    @Override
    public ServerResponse next() {
        throw new UnsupportedOperationException("not used on an in-memory answer");
    }

    @Override
    public void streamResult(String result) {
    }

    @Override
    public void streamFilter(UnaryOperator<OutputStream> filterFunction) {
        throw new UnsupportedOperationException("not used on an in-memory answer");
    }

    /** Keeps up to {@code maxBody} bytes; the write that would pass it fails, as a client that went away. */
    private final class Bounded extends OutputStream {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (tooLarge || kept.size() + (long) len > maxBody) {
                tooLarge = true;
                throw new IOException("body longer than " + maxBody + " bytes");
            }
            kept.write(b, off, len);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        synchronized byte[] toByteArray() {
            return kept.toByteArray();
        }

        synchronized int size() {
            return kept.size();
        }
    }
}
