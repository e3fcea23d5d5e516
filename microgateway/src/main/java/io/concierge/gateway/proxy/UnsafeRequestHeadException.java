package io.concierge.gateway.proxy;

import java.io.IOException;

/**
 * A part of a request head the proxy was about to write upstream breaks HTTP/1.1 syntax (a control
 * character in a header value, a space in the target, ...): the client's request is refused with a
 * 400 and nothing is sent. The message names the part, never its bytes, so it can go into a problem
 * detail and a log line as it is.
 */
public final class UnsafeRequestHeadException extends IOException {
    UnsafeRequestHeadException(String message) {
        super(message);
    }
}
