package io.concierge.gateway.proxy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.requestid.RequestIds;
import io.concierge.gateway.resilience.FallbackConfig;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.concierge.gateway.pool.UpstreamProtocolException;

/**
 * The one place that turns a failed upstream exchange into the client's answer: status, title,
 * detail and {@code Retry-After} per kind of failure, or the route's static fallback instead of a
 * 502/503/504. The problem bodies are part of the contract (tests assert them word for word).
 */
public final class UpstreamFailures {
    private static final Logger LOG = Logger.getLogger(UpstreamFailures.class.getName());
    private static final HeaderName FALLBACK = HeaderNames.create("Concierge-Fallback");

    private UpstreamFailures() {
    }

    /**
     * Answers a request whose stack ended without a response to relay.
     *
     * @throws IllegalArgumentException for {@link ExchangeOutcome.Responded}, which is relayed, not mapped
     *                                  ({@link ResponseRelay} does that)
     */
    public static void answer(ServerResponse res, ProxyCall call, ExchangeOutcome outcome) {
        String name = call.group().name();
        switch (outcome) {
            case ExchangeOutcome.Responded r -> throw new IllegalArgumentException("a response is relayed, not mapped");
            case ExchangeOutcome.Answered a -> {
                // the client has its answer already
            }
            case ExchangeOutcome.BulkheadFull b -> {
                res.header(HeaderNames.RETRY_AFTER, "1");
                failure(res, call, 503, "Service Unavailable", "'" + name + "' is at its concurrency limit");
            }
            case ExchangeOutcome.BreakersOpen b -> {
                long seconds = Math.max(1, (b.nanosUntilProbe() + 999_999_999L) / 1_000_000_000L);
                res.header(HeaderNames.RETRY_AFTER, String.valueOf(seconds));
                failure(res, call, 503, "Service Unavailable", "every instance of '" + name
                        + "' is failing; its circuit breakers are open");
            }
            case ExchangeOutcome.DeadlineExceeded d -> failure(res, call, 504, "Gateway Timeout", "'" + name
                    + "' did not answer within the request's deadline");
            case ExchangeOutcome.NoInstance n -> noInstance(res, call, n.lastConnectFailure());
            case ExchangeOutcome.ConnectFailed c -> failed(res, call, c.error());
            case ExchangeOutcome.FailedBeforeResponse f -> failed(res, call, f.error());
            case ExchangeOutcome.FailedAfterResponse f -> failed(res, call, f.error());
            case ExchangeOutcome.TimedOut t -> failed(res, call, t.error());
            case ExchangeOutcome.ProtocolError p -> failed(res, call, p.error());
        }
    }

    /** An upstream's own 502/503/504 replaced by the route's fallback (only called when there is one). */
    static void fallbackFor(ServerResponse res, ProxyCall call, int status) {
        failure(res, call, status, "", "");
    }

    /** The client's request cannot be written as an HTTP/1.1 head: refused before any instance is chosen. */
    static void unsafeHead(ServerResponse res, ProxyCall call, UnsafeRequestHeadException e) {
        LOG.log(Level.FINE, () -> call.group().name() + ": request refused before forwarding: " + e.getMessage());
        Problem.send(res, 400, "Bad Request", e.getMessage(), call.requestId());
    }

    /** The final head's framing is unusable (e.g. a malformed Content-Length). */
    static void invalidResponse(ServerResponse res, String requestId) {
        Problem.send(res, 502, "Bad Gateway", "the upstream sent an invalid response", requestId);
    }

    /** A small body ended early; nothing had been sent to the client yet, so its headers are dropped. */
    static void bodyCutShort(ServerResponse res, String requestId) {
        res.headers().clear();
        res.header(RequestIds.HEADER, requestId);
        Problem.send(res, 502, "Bad Gateway", "the upstream's response body was cut short", requestId);
    }

    private static void failed(ServerResponse res, ProxyCall call, IOException e) {
        String name = call.group().name();
        if (e instanceof SocketTimeoutException) {
            failure(res, call, 504, "Gateway Timeout", "'" + name + "' did not answer within "
                    + call.readTimeout().toMillis() + " ms");
        } else {
            LOG.log(Level.FINE, () -> name + ": exchange failed: " + e);
            failure(res, call, 502, "Bad Gateway", "'" + name + "' failed to answer: "
                    + (e instanceof UpstreamProtocolException ? e.getMessage() : "connection lost"));
        }
    }

    private static void noInstance(ServerResponse res, ProxyCall call, IOException lastFailure) {
        String name = call.group().name();
        if (lastFailure instanceof SocketTimeoutException || lastFailure != null
                && !(lastFailure instanceof ConnectException) && lastFailure.getMessage() != null
                && lastFailure.getMessage().contains("timed out")) {
            failure(res, call, 504, "Gateway Timeout", "no instance of '" + name
                    + "' accepted a connection in time");
            return;
        }
        failure(res, call, 502, "Bad Gateway", call.group().instances().isEmpty()
                ? "'" + name + "' has no instances"
                : "no instance of '" + name + "' accepted the connection");
    }

    /** Answers a failed request: the route's fallback when it has one, else problem+json. */
    private static void failure(ServerResponse res, ProxyCall call, int status, String title, String detail) {
        FallbackConfig fb = call.fallback();
        if (fb != null) {
            if (call.resilience() != null) {
                call.resilience().countFallback();
            }
            res.headers().remove(HeaderNames.RETRY_AFTER);
            res.status(Status.create(fb.status()));
            res.header(HeaderNames.CONTENT_TYPE, fb.contentType());
            res.header(FALLBACK, "static");
            fb.headers().forEach(res::header);
            res.send(fb.body());
            return;
        }
        Problem.send(res, status, title, detail, call.requestId());
    }
}
