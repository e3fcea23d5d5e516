package io.concierge.gateway.testing;

/** How an HTTP/1.1 message on the wire delimited its body. */
public enum Framing {
    /** No body: neither Content-Length nor Transfer-Encoding. */
    NONE,
    /** {@code Content-Length: n}. */
    CONTENT_LENGTH,
    /** {@code Transfer-Encoding: chunked}. */
    CHUNKED,
    /** A response body that runs until the connection closes. */
    UNTIL_CLOSE
}
