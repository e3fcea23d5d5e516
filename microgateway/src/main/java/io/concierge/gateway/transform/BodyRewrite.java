package io.concierge.gateway.transform;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

import io.concierge.gateway.pipeline.ChainResponse;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.ResponseInterceptor;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.ServerResponseHeaders;

/**
 * One answer's body transformation: decides from the head whether the body is a candidate (a 2xx
 * JSON body, not encoded, not declared larger than the limit), and if so buffers it, transforms it
 * and writes the result with a fixed-up head. Anything else streams through untouched and is
 * counted. A HEAD answer whose GET would be transformed loses the upstream's Content-Length and gets
 * the transformed ETag. Per request, because it carries the decision and the buffer.
 */
final class BodyRewrite implements ResponseInterceptor {
    private final TransformStep step;
    private boolean candidate;
    private int status;
    private ServerResponseHeaders headers;

    BodyRewrite(TransformStep step) {
        this.step = step;
    }

    @Override
    public void beforeHead(Exchange exchange, ChainResponse response) {
        step.beforeHead(exchange, response);
        TransformStats.Outcome skip = skipReason(response);
        boolean head = exchange.request().prologue().method() == Method.HEAD;
        if (skip != null) {
            if (skip != TransformStats.Outcome.TRANSFORMED && !head) {
                step.count(skip);
            }
            return;
        }
        if (head) {
            // The GET's body would be transformed, so the upstream's length and validator describe
            // another representation. The new length is known only by generating the body, which a
            // HEAD answer may omit (RFC 9110 9.3.2; if sent, it must be the GET's); the ETag is the
            // one the transformed GET carries, computed from the upstream's alone.
            response.headers().remove(HeaderNames.CONTENT_LENGTH);
            weakenEtag(response.headers());
            return;
        }
        candidate = true;
        status = response.status().code();
        headers = response.headers();
        // The length changes; the server computes the new one from the single write in BufferedBody.
        headers.remove(HeaderNames.CONTENT_LENGTH);
    }

    /** Null for a candidate; TRANSFORMED for a body that is not counted at all (no body, not a success). */
    private TransformStats.Outcome skipReason(ChainResponse response) {
        int code = response.status().code();
        if (code < 200 || code > 299 || code == 204) {
            return TransformStats.Outcome.TRANSFORMED; // nothing of ours to transform: errors stay as they are
        }
        ServerResponseHeaders h = response.headers();
        if (!JsonBodies.isJson(h.first(HeaderNames.CONTENT_TYPE).orElse(null))) {
            return TransformStats.Outcome.NOT_JSON;
        }
        String encoding = h.first(HeaderNames.CONTENT_ENCODING).orElse(null);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            return TransformStats.Outcome.ENCODED;
        }
        String length = h.first(HeaderNames.CONTENT_LENGTH).orElse(null);
        if (length != null && declaredLength(length) > step.config().maxBodySize()) {
            return TransformStats.Outcome.TOO_LARGE;
        }
        return null;
    }

    /** A Content-Length value, or Long.MAX_VALUE when it is not a plain number. */
    private static long declaredLength(String v) {
        if (v.isEmpty() || v.length() > 18) {
            return Long.MAX_VALUE;
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return Long.MAX_VALUE;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    @Override
    public boolean readsBody() {
        return candidate;
    }

    @Override
    public OutputStream body(Exchange exchange, OutputStream out) {
        return new BufferedBody(out, exchange.request().prologue().uriPath().rawPath());
    }

    /**
     * Holds the body up to the limit, then transforms it at close. A body that outgrows the limit
     * (one without a declared length) is written as it came and the rest streams through.
     */
    private final class BufferedBody extends OutputStream {
        private final OutputStream out;
        private final String path;
        private byte[] buf = new byte[8192];
        private int size;
        private boolean passThrough;

        BufferedBody(OutputStream out, String path) {
            this.out = out;
            this.path = path;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (passThrough) {
                out.write(b, off, len);
                return;
            }
            long max = step.config().maxBodySize();
            if (size + (long) len > max) {
                passThrough = true;
                step.count(TransformStats.Outcome.TOO_LARGE);
                out.write(buf, 0, size);
                buf = null;
                out.write(b, off, len);
                return;
            }
            if (size + len > buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(max, Math.max(buf.length * 2L, size + (long) len)));
            }
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        @Override
        public void flush() throws IOException {
            if (passThrough) {
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            try {
                if (!passThrough) {
                    byte[] result = JsonBodies.transform(buf, size, step.config().body(), status,
                            step.config().envelope() ? path : null);
                    if (result == null) {
                        step.count(TransformStats.Outcome.INVALID_JSON);
                        out.write(buf, 0, size);
                    } else {
                        step.count(TransformStats.Outcome.TRANSFORMED);
                        weakenEtag(headers);
                        out.write(result);
                    }
                    buf = null;
                }
            } finally {
                out.close();
            }
        }

    }

    /** A transformed body is another representation: its ETag must not match the upstream's. */
    private void weakenEtag(ServerResponseHeaders headers) {
        String etag = headers.first(HeaderNames.ETAG).orElse(null);
        if (etag == null) {
            return;
        }
        String opaque = etag.startsWith("W/") ? etag.substring(2) : etag;
        if (opaque.length() >= 2 && opaque.charAt(0) == '"' && opaque.charAt(opaque.length() - 1) == '"') {
            opaque = opaque.substring(1, opaque.length() - 1);
        }
        headers.set(HeaderNames.ETAG, "W/\"" + opaque + step.etagSuffix() + "\"");
    }
}
