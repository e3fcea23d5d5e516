package io.concierge.gateway.rewrite;

/** A request path the gateway refuses to route; answered with 400. */
public final class InvalidPathException extends RuntimeException {
    public InvalidPathException(String message) {
        super(message, null, false, false);
    }
}
