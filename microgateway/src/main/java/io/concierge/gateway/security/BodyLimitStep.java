package io.concierge.gateway.security;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalLong;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.problem.Problem;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;

/**
 * Refuses request bodies over a size with 413: up front when {@code Content-Length} says so, and
 * while streaming a chunked body, since then the size is known only once it has been read that far.
 * Either way the connection is closed afterwards, because the rest of the body is never read and
 * must not be parsed as the next request.
 */
final class BodyLimitStep implements Step {
    private final long max;
    private final SecurityStats stats;

    BodyLimitStep(long max, SecurityStats stats) {
        this.max = max;
        this.stats = stats;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        OptionalLong declared = exchange.request().headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > max) {
            stats.countBodyTooLarge();
            exchange.response().header(HeaderNames.CONNECTION, "close");
            Problem.send(exchange.response(), 413, "Content Too Large", "the request body is larger than "
                    + max + " bytes", exchange.requestId());
            throw new CloseConnectionException("request body of " + declared.getAsLong() + " bytes over the limit of "
                    + max);
        }
        if (declared.isEmpty() && exchange.request().headers().contains(HeaderNames.TRANSFER_ENCODING)) {
            exchange.request().streamFilter(in -> new Limited(in, max, stats));
        }
        next.proceed(exchange);
    }

    /** Counts body bytes as they are read and fails the read that goes past the limit. */
    private static final class Limited extends FilterInputStream {
        private final long max;
        private final SecurityStats stats;
        private long count;

        Limited(InputStream in, long max, SecurityStats stats) {
            super(in);
            this.max = max;
            this.stats = stats;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            // Never hand out more than one byte past the limit, so the excess is noticed at once.
            int n = super.read(buf, off, (int) Math.min(len, max - count + 1));
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) {
            count += n;
            if (count > max) {
                stats.countBodyTooLarge();
                // Thrown through the proxy (which then drops the upstream connection) to Helidon,
                // which answers 413 through the problem+json direct handler and closes the connection.
                throw new HttpException("request body over the limit of " + max + " bytes",
                        Status.REQUEST_ENTITY_TOO_LARGE_413, false);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(Math.min(n, max - count + 1));
            if (s > 0) {
                counted((int) s);
            }
            return s;
        }
    }
}
