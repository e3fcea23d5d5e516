package io.concierge.gateway.proxy;

import java.io.IOException;

import io.concierge.gateway.problem.Problem;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;

/** The client's own body failed (aborted upload, read timeout): not the upstream's fault. */
final class ClientBodyException extends IOException {
    ClientBodyException(Exception cause) {
        super(cause.getMessage(), cause);
    }

    /**
     * Answers 400 and ends the connection. A body that fails to arrive is the client's error
     * (malformed chunks, for which Helidon throws a bare NumberFormatException; an upload cut
     * short; a read timeout), so never a 500. The connection cannot be reused: where this body
     * stops, and so where a next request would start, is unknown, and Helidon keeps reading after
     * a "Connection: close" response. Only this exception makes it close.
     */
    CloseConnectionException answer(ServerResponse res, String requestId) {
        try {
            res.header(HeaderNames.CONNECTION, "close");
            if (getCause() instanceof io.helidon.http.HttpException refused) {
                // A limit on the body tripped while streaming it (the route's max-body-size: 413).
                Problem.send(res, refused.status().code(), refused.status().reasonPhrase(), refused.getMessage(),
                        requestId);
            } else if (timedOut()) {
                // server.read-timeout: the client stopped sending in the middle of its body.
                Problem.send(res, 408, "Request Timeout", "the request body stopped arriving", requestId);
            } else {
                Problem.send(res, 400, "Bad Request", "the request body could not be read", requestId);
            }
        } catch (RuntimeException clientGone) {
            // nobody is left to tell
        }
        return new CloseConnectionException("request body failed: " + getMessage(), this);
    }

    private boolean timedOut() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
