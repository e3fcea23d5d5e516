package io.concierge.gateway.cache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

import io.concierge.gateway.pipeline.ChainResponse;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.ResponseInterceptor;
import io.helidon.http.HeaderNames;

/**
 * One miss's response on its way to the client: decides before the head whether it may be stored,
 * sets {@code Cache-Status}, and (only then) tees the body into memory up to the route's
 * {@code max-object-size} while it streams. A longer body is never buffered past the limit: the copy
 * is dropped at the write that passes it and the rest just streams. {@link #completed} stores the
 * entry once the chain returned normally (an upstream that failed mid-body throws instead, so a cut
 * body is never stored).
 */
final class StoreWhileRelaying implements ResponseInterceptor {
    private final CacheStep step;
    private final String primary;
    private final String fwd;
    private final boolean collapsed;
    private final CacheControl requestCc;
    private final boolean authorization;
    private final long requestTime;
    private final boolean mayStore;
    private Storable storable;
    private long contentLength = -1;
    private Tee tee;
    private boolean done;
    private io.helidon.http.ServerRequestHeaders requestHeaders;

    StoreWhileRelaying(CacheStep step, String primary, String fwd, boolean collapsed, CacheControl requestCc,
                       boolean authorization, long requestTime, boolean mayStore) {
        this.step = step;
        this.primary = primary;
        this.fwd = fwd;
        this.collapsed = collapsed;
        this.requestCc = requestCc;
        this.authorization = authorization;
        this.requestTime = requestTime;
        this.mayStore = mayStore;
    }

    @Override
    public void beforeHead(Exchange exchange, ChainResponse response) {
        int status = response.status().code();
        StringBuilder cs = new StringBuilder(64).append(CacheStatus.CACHE).append("; fwd=").append(fwd)
                .append("; fwd-status=").append(status);
        if (collapsed) {
            cs.append("; collapsed");
        }
        if (mayStore) {
            Storable.Decision d = Storable.decide(step.policy, status, response.headers(), requestCc, authorization,
                    requestTime, System.currentTimeMillis(), step.tagHeader);
            contentLength = response.headers().contentLength().orElse(-1);
            long max = step.policy.config().maxObjectSize();
            if (d.storable() == null) {
                step.stats.notStored.increment();
                cs.append("; detail=").append(d.reason());
            } else if (contentLength > max) {
                step.stats.tooLarge.increment();
                cs.append("; detail=too-large");
            } else {
                storable = d.storable();
                if (contentLength >= 0) {
                    cs.append("; stored");
                }
                cs.append("; ttl=").append(CacheStatus.seconds(storable.lifetime - storable.initialAge));
            }
        }
        CacheStatus.set(response, cs.toString());
    }

    @Override
    public boolean readsBody() {
        return storable != null;
    }

    @Override
    public OutputStream body(Exchange exchange, OutputStream out) {
        requestHeaders = exchange.request().headers();
        tee = new Tee(out, step.policy.config().maxObjectSize(), contentLength, this::storeBeforeLastBytes);
        return tee;
    }

    /**
     * A fixed-length body that arrived whole is stored before the stream closes, that is before the
     * client can have its last bytes: the client's next request (on any instance) then finds it, and
     * so do coalesced waiters. A body of unknown length is stored in {@link #completed} instead, once
     * the relay has ended without an error.
     */
    private void storeBeforeLastBytes() {
        if (!done && storable != null && contentLength >= 0 && !tee.overflowed && tee.copy.size() == contentLength) {
            done = true;
            step.store(primary, requestHeaders, storable.withBody(tee.copy.toByteArray()));
        }
    }

    /** The chain returned normally: store what was teed, if complete and within the limit. */
    void completed(Exchange ex) {
        if (storable == null || done) {
            return;
        }
        done = true;
        byte[] body;
        if (tee == null) {
            // Sent without a body (204, or an empty 200): only a declared empty body is complete.
            if (contentLength != 0 && storable.status != 204) {
                return;
            }
            body = new byte[0];
        } else {
            if (tee.overflowed) {
                step.stats.tooLarge.increment();
                return;
            }
            body = tee.copy.toByteArray();
            if (contentLength >= 0 && body.length != contentLength) {
                return;
            }
        }
        step.store(primary, ex.request().headers(), storable.withBody(body));
    }

    /** Writes through to the client and keeps a copy until the limit is passed. */
    private static final class Tee extends OutputStream {
        private final OutputStream out;
        private final long max;
        private final Runnable beforeClose;
        private ByteArrayOutputStream copy;
        private boolean overflowed;

        Tee(OutputStream out, long max, long contentLength, Runnable beforeClose) {
            this.out = out;
            this.max = max;
            this.beforeClose = beforeClose;
            this.copy = new ByteArrayOutputStream((int) Math.min(max, contentLength > 0 ? contentLength : 8192));
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (!overflowed) {
                if (copy.size() + (long) len > max) {
                    overflowed = true;
                    copy = null;
                } else {
                    copy.write(b, off, len);
                }
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            try {
                beforeClose.run();
            } finally {
                out.close();
            }
        }
    }
}
