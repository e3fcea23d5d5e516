package io.concierge.gateway.server;

import io.helidon.common.concurrency.limits.Limit;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.Method;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.spi.ServerConnection;

/**
 * Ends an HTTP/1 connection after an answer that leaves the stream's framing in doubt, in one place
 * for every answer (proxied, refused by a filter, or an error turned into a response), because
 * Helidon 4.3.0 does neither of these itself (and keeps a HEAD answer from claiming an empty body):
 *
 * <ul>
 *   <li>An answer given before the request body was read to its end. Helidon drains such a body
 *       only sometimes and without a bound: not at all when the request had {@code Expect:
 *       100-continue} and no 100 was sent (it then reads the body that the client sent anyway as
 *       the next request), nor when the answer says {@code Connection: close}, and otherwise it
 *       reads all of it, however large. Here the answer says {@code Connection: close} and the
 *       connection ends after it: the body is never parsed as a request and never read.</li>
 *   <li>{@code Connection: close} from the client or on the answer (RFC 9112 section 9.6): Helidon
 *       marks the answer but keeps reading requests until the read timeout. Here the connection
 *       ends after the answer, and pipelined requests behind it are never processed.</li>
 * </ul>
 * Both are decided when the answer's head is written (the send listener may still add
 * {@code Connection: close} then); the request comes from the routing {@link #FILTER}. Helidon runs
 * the listener, the filter and the handler of an HTTP/1 request on the connection's own thread,
 * so a thread-local joins them.
 */
public final class ConnectionFraming {
    private static final ThreadLocal<ConnectionFraming> CURRENT = new ThreadLocal<>();
    /** Records the request being answered; add it to every public listener's routing. */
    public static final Filter FILTER = (chain, req, res) -> {
        ConnectionFraming f = CURRENT.get();
        if (f != null) {
            f.request = req;
        }
        chain.proceed();
    };

    private final boolean http10;
    private ServerConnection connection;
    private ServerRequest request;

    ConnectionFraming(boolean http10) {
        this.http10 = http10;
    }

    /** Whether the request on this thread came as HTTP/1.0 (its version was rewritten for Helidon). */
    public static boolean isHttp10() {
        ConnectionFraming f = CURRENT.get();
        return f != null && f.http10;
    }

    /** The HTTP/1 send listener that decides, as each answer's head is written. */
    static Http1ConnectionListener sendListener() {
        return new Http1ConnectionListener() {
            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                ConnectionFraming f = CURRENT.get();
                if (f != null) {
                    f.answering(headers);
                }
            }
        };
    }

    /** Called at each request line: the previous request is done. */
    static void requestStarted() {
        ConnectionFraming f = CURRENT.get();
        if (f != null) {
            f.request = null;
        }
    }

    void serving(ServerConnection c) {
        this.connection = c;
    }

    void run(ServerConnection c, Limit limit) throws InterruptedException {
        CURRENT.set(this);
        try {
            c.handle(limit);
        } finally {
            CURRENT.remove();
        }
    }

    private void answering(Headers headers) {
        ServerRequest req = request;
        if (req != null && req.prologue().method() == Method.HEAD && headers instanceof WritableHeaders<?> w
                && w.contains(HeaderValues.CONTENT_LENGTH_ZERO)) {
            // Helidon gives every answer sent without a length "Content-Length: 0", a HEAD answer too,
            // where it claims the GET's body is empty (RFC 9110 8.6), e.g. after a transformation took
            // the upstream's length away. A HEAD answer may always omit the field (9.3.2).
            w.remove(HeaderNames.CONTENT_LENGTH);
        }
        boolean close = req == null // an answer from outside routing: Helidon ends the connection anyway
                || http10 // one request per HTTP/1.0 connection (Http10Exchange)
                || headers.contains(HeaderValues.CONNECTION_CLOSE)
                || req.headers().contains(HeaderValues.CONNECTION_CLOSE)
                || !req.content().consumed();
        if (!close) {
            return;
        }
        if (headers instanceof WritableHeaders<?> w) {
            // Also keeps Helidon from draining an unread body: it skips that for a closing answer.
            w.set(HeaderValues.CONNECTION_CLOSE);
        }
        // Helidon's HTTP/1 loop checks this flag before reading the next request; the answer
        // itself is written in full first. Not interrupting: the thread is busy answering.
        connection.close(false);
    }
}
