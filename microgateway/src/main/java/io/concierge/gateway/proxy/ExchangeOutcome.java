package io.concierge.gateway.proxy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import io.concierge.gateway.pool.UpstreamProtocolException;

/**
 * How one forwarded request (or one try of it) ended, as the exchange and the resilience layers
 * around it report it upward. {@link Responded} holds an answer to relay; {@link Answered} says the
 * client has its answer; every other kind is turned into the client's answer by
 * {@link UpstreamFailures}, the one place that knows the status, title and detail of each.
 */
public sealed interface ExchangeOutcome {
    /** Shared: answering allocates nothing per request. */
    Answered ANSWERED = new Answered();

    /** The upstream's final response head arrived; its body waits in {@code response} to be relayed or dropped. */
    record Responded(UpstreamResponse response) implements ExchangeOutcome {
        public int status() {
            return response.status();
        }
    }

    /**
     * No connection to the instance could be made. {@code afterStaleConnection}: the request was first
     * written on a pooled connection that turned out dead, so it may have reached the instance; that
     * makes it a try (retry rules apply), where a plain refusal only makes the balancer pick another.
     */
    record ConnectFailed(IOException error, boolean afterStaleConnection) implements ExchangeOutcome {
    }

    /** The connection failed (reset, end of stream) before any byte of a response arrived. */
    record FailedBeforeResponse(IOException error) implements ExchangeOutcome {
    }

    /** The connection failed after some byte of a response had arrived: the upstream may be working on it. */
    record FailedAfterResponse(IOException error) implements ExchangeOutcome {
    }

    /** No final response head within the read timeout. */
    record TimedOut(SocketTimeoutException error) implements ExchangeOutcome {
    }

    /**
     * The exchange broke HTTP/1.1: the upstream's head was invalid, or the instance's address cannot be
     * written into {@code Host}. {@code responseBegan} tells whether any response byte had arrived.
     */
    record ProtocolError(UpstreamProtocolException error, boolean responseBegan) implements ExchangeOutcome {
    }

    /** The request's deadline passed before a try could start, or before a retry's backoff ended. */
    record DeadlineExceeded() implements ExchangeOutcome {
    }

    /**
     * The balancer had no instance left to try: none configured, all refused, all tried.
     *
     * @param lastConnectFailure the last refusal, or null
     */
    record NoInstance(IOException lastConnectFailure) implements ExchangeOutcome {
    }

    /** Every instance left was skipped because its circuit breaker is open. */
    record BreakersOpen(long nanosUntilProbe) implements ExchangeOutcome {
    }

    /** The client has its answer already: relayed, a fallback, or a problem for a failure. */
    record Answered() implements ExchangeOutcome {
    }

    /** The service's bulkhead had neither a free slot nor room in its queue. */
    record BulkheadFull() implements ExchangeOutcome {
    }
}
