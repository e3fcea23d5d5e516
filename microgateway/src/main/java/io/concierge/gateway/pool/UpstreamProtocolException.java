package io.concierge.gateway.pool;

import java.io.IOException;

/** The upstream answered something that is not valid HTTP/1.1; the client gets a 502. */
public final class UpstreamProtocolException extends IOException {
    public UpstreamProtocolException(String message) {
        super(message);
    }
}
