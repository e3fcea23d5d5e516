package io.concierge.gateway.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.concierge.gateway.balancing.Upstream;
import io.helidon.http.Method;
import io.concierge.gateway.pool.UpstreamConnection;
import io.concierge.gateway.pool.UpstreamProtocolException;

/**
 * One exchange with one instance over one connection: take a pooled connection or open one, write the
 * head and the body, read the final response head. The body of the answer is left on the connection
 * for the layers above ({@link UpstreamResponse}). Every failure is reported as an
 * {@link ExchangeOutcome}, never thrown; only the client's own failing body throws.
 *
 * <p>The one retry decided here: a pooled connection that turns out dead before any response byte is
 * replaced by a fresh one when the request is idempotent (or retry-eligible) and its body was not
 * consumed (none, or a kept one). Usually the upstream had closed the idle connection; deciding
 * this needs the connection's state, which only the exchange sees.
 */
public final class UpstreamExchange implements InstanceExchange {
    private static final Logger LOG = Logger.getLogger(UpstreamExchange.class.getName());
    private static final int BUFFER = 16 * 1024;
    private static final Set<Method> IDEMPOTENT = Set.of(Method.GET, Method.HEAD, Method.OPTIONS, Method.PUT,
            Method.DELETE, Method.TRACE);

    private final ViaEntries via;
    private final UpstreamObserver observer;

    /**
     * @param viaName  this hop's pseudonym in {@code Via}
     * @param observer sees every try (telemetry: client spans, upstream latency)
     */
    public UpstreamExchange(String viaName, UpstreamObserver observer) {
        this.via = new ViaEntries(viaName);
        this.observer = observer;
    }

    @Override
    public ExchangeOutcome exchange(UpstreamRequest request, Upstream upstream) {
        long nanosLeft = request.nanosLeft();
        if (nanosLeft <= 0) {
            return new ExchangeOutcome.DeadlineExceeded();
        }
        Duration remaining = Duration.ofNanos(nanosLeft);
        ProxyCall call = request.call();
        Duration readTimeout = min(call.readTimeout(), remaining);
        UpstreamObserver.Attempt observed = observer.start(call.group().name(), request.method().text(),
                upstream.host(), upstream.port(), call.target());
        upstream.acquired();
        boolean handedOver = false;
        try {
            UpstreamConnection conn = upstream.pool().pooled();
            boolean fresh = conn == null;
            if (fresh) {
                try {
                    conn = upstream.pool().open(min(call.connectTimeout(), remaining));
                } catch (IOException e) {
                    observed.failed(e);
                    LOG.log(Level.FINE, () -> call.group().name() + ": " + upstream + " refused: " + e);
                    return new ExchangeOutcome.ConnectFailed(e, false);
                }
            }
            byte[] head;
            int headLength;
            try {
                String host = upstream.authority();
                RequestHeadWriter.checkHost(host);
                String ownLines = observed.headers();
                headLength = RequestHeadWriter.headLength(request.requestLine(), host, request.commonHead(), ownLines,
                        request.framing());
                head = conn.headBuffer(headLength);
                RequestHeadWriter.assembleInto(head, request.requestLine(), host, request.commonHead(), ownLines,
                        request.framing());
            } catch (UnsafeRequestHeadException e) {
                // Not the client's bytes but an instance address from discovery: that instance is broken.
                conn.close();
                observed.failed(e);
                return new ExchangeOutcome.ProtocolError(
                        new UpstreamProtocolException("instance address unusable in Host"), false);
            }
            ResponseHead response;
            long receivedBefore = conn.in().received();
            try {
                response = sendOnce(request, conn, head, headLength, readTimeout);
            } catch (ClientBodyException e) {
                conn.close();
                observed.failed(e);
                throw e.answer(request.response(), call.requestId());
            } catch (IOException e) {
                conn.close();
                boolean nothingSent = !request.hasBody() || request.replayBody() != null;
                boolean answerBegan = conn.in().received() != receivedBefore;
                if (fresh || !nothingSent || !(IDEMPOTENT.contains(request.method()) || request.retryEligible())
                        || e instanceof SocketTimeoutException || request.connectionScope() && answerBegan) {
                    observed.failed(e);
                    return failure(e, answerBegan);
                }
                // Usually a keep-alive connection the upstream had already closed. It may also have
                // answered garbage after processing the request; one more try on a new connection is
                // still safe, because only idempotent requests (or POSTs with an Idempotency-Key that
                // opted in) come here. The edge does not re-send once an answer began (its rule:
                // nothing after a response byte).
                try {
                    conn = upstream.pool().open(min(call.connectTimeout(), remaining));
                } catch (IOException refused) {
                    // The instance itself is gone (killed, restarting), not just this connection:
                    // the request may have reached it on the stale connection, so this is a try.
                    observed.failed(refused);
                    return new ExchangeOutcome.ConnectFailed(refused, true);
                }
                try {
                    response = sendOnce(request, conn, head, headLength, readTimeout);
                } catch (ClientBodyException clientFailure) {
                    conn.close();
                    observed.failed(clientFailure);
                    throw clientFailure.answer(request.response(), call.requestId());
                } catch (IOException retryFailure) {
                    conn.close();
                    observed.failed(retryFailure);
                    return failure(retryFailure, conn.in().received() > 0);
                }
            }
            observed.status(response.status());
            handedOver = true;
            return new ExchangeOutcome.Responded(new ConnectionResponse(conn, upstream, response, observed, via));
        } catch (RuntimeException e) {
            observed.failed(e);
            throw e;
        } finally {
            if (!handedOver) {
                upstream.released();
                observed.end();
            }
        }
    }

    private static ExchangeOutcome failure(IOException e, boolean answerBegan) {
        if (e instanceof SocketTimeoutException timeout) {
            return new ExchangeOutcome.TimedOut(timeout);
        }
        if (e instanceof UpstreamProtocolException protocol) {
            return new ExchangeOutcome.ProtocolError(protocol, answerBegan);
        }
        return answerBegan ? new ExchangeOutcome.FailedAfterResponse(e) : new ExchangeOutcome.FailedBeforeResponse(e);
    }

    private static ResponseHead sendOnce(UpstreamRequest request, UpstreamConnection conn, byte[] head, int headLength,
                                         Duration readTimeout) throws IOException {
        conn.readTimeout(readTimeout);
        OutputStream out = conn.out();
        out.write(head, 0, headLength);
        if (request.replayBody() != null) {
            out.write(request.replayBody());
        } else if (request.hasBody()) {
            writeBody(request.peeked(), request.peekedLength(), request.body(), out, request.chunked(),
                    request.length());
        }
        out.flush();
        ResponseHead response = ResponseHead.readFinal(conn, System.nanoTime() + readTimeout.toNanos());
        conn.readTimeout(readTimeout); // readFinal shortened it; each body read gets the whole timeout again
        return response;
    }

    /** @param first bytes of the body read already (or null), sent before the rest */
    private static void writeBody(byte[] first, int firstLength, InputStream body, OutputStream out, boolean chunked,
                                  long length) throws IOException {
        byte[] buf = new byte[BUFFER];
        OutputStream target = chunked ? new ChunkedOutputStream(out) : out;
        long copied = 0;
        if (firstLength > 0) {
            target.write(first, 0, firstLength);
            copied = firstLength;
        }
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

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
