package io.concierge.gateway.grpc;

/** An HTTP value that does not convert to its field; answered as a 400 problem naming the parameter. */
final class BadValueException extends Exception {
    BadValueException(String message) {
        super(message, null, false, false);
    }
}
