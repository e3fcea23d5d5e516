package io.concierge.gateway.proxy;

import io.concierge.gateway.balancing.Upstream;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerResponse;

/**
 * An upstream's final response head with its body not yet read. The layers above the exchange see
 * the status and decide: {@link #relay} it to the client, or {@link #discard} it (a retry, a
 * fallback). Exactly one of them must be called; either ends the try.
 */
public interface UpstreamResponse {
    int status();

    /** The instance that answered. */
    Upstream instance();

    /** Drops the answer unread. */
    void discard();

    /**
     * Relays status, headers and body to the client. A failure while streaming a body whose status
     * is already out is rethrown unchecked, which makes Helidon cut the client connection.
     */
    void relay(ServerResponse res, Method method, String requestId);
}
