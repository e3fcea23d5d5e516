package io.concierge.gateway.composition;

import java.util.List;

import io.concierge.gateway.pipeline.Exchange;

/**
 * Runs a local call (a call to one of this gateway's own services) through the chain of the route
 * that serves its path, in process: the route authenticates, authorizes, rate-limits and proxies it
 * exactly as it would the client's own request for that path. The server implements it over its
 * route table; this package only calls it, so it does not depend on the server that assembles it.
 */
public interface LocalCalls {

    /** Before the server is assembled: a local call cannot be made yet (answers 502). */
    LocalCalls NONE = (caller, target, headers, maxBody) -> null;

    /**
     * Runs the call on the calling thread; the caller bounds its time (and interrupts it).
     *
     * @param caller  the client's request the call is part of (connection facts, client address)
     * @param target  the rendered request target: raw path and optional query
     * @param headers the call's headers: the caller's credentials, trace context, request id, depth
     * @param maxBody the composition's max-part-size
     * @return the route's answer, or null when no route could be run
     */
    Answer get(Exchange caller, String target, List<String[]> headers, long maxBody);

    /**
     * @param status   the route's status
     * @param body     its body, complete unless {@code tooLarge}
     * @param tooLarge the body was longer than max-part-size
     */
    record Answer(int status, byte[] body, boolean tooLarge) {
    }
}
