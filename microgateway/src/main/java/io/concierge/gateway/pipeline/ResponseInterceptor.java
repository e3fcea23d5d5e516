package io.concierge.gateway.pipeline;

import java.io.OutputStream;

/**
 * What a step registers (with {@link Exchange#beforeHead}) to see and change the answer of the
 * steps after it. {@link #beforeHead} runs once, when the answer is about to be written, whoever
 * wrote it (the upstream's relayed response, a composition, a later step's problem+json):
 * interceptors run innermost first, so the outermost step has the last word on a header.
 *
 * <p>A stateless step registers itself (no allocation per request); one that needs per-request
 * state registers a small object that holds it.
 */
@FunctionalInterface
public interface ResponseInterceptor {

    /** Read and change the status and headers of {@code response}; nothing has been sent yet. */
    void beforeHead(Exchange exchange, ChainResponse response);

    /**
     * Whether {@link #body} wants to see the body. False (the default) keeps the proxy's fast path:
     * a small body is handed to the server in one piece and never copied through a stream.
     */
    default boolean readsBody() {
        return false;
    }

    /**
     * The body on its way to the client, called after {@link #beforeHead} when {@link #readsBody}.
     * Return {@code out} itself or a stream that writes to it (to observe, rewrite or buffer the body,
     * within a limit the step sets); an interceptor that changes the length also removes
     * {@code Content-Length} in {@link #beforeHead}. Closing the returned stream must close {@code out}.
     */
    default OutputStream body(Exchange exchange, OutputStream out) {
        return out;
    }
}
