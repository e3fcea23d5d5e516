package io.concierge.gateway.server;

import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.rewrite.InvalidPathException;
import io.concierge.gateway.rewrite.RawPath;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Checks every request must pass before it is routed, shared by the edge and the gateways.
 */
public final class RequestGuard {
    private RequestGuard() {
    }

    /**
     * @return the parsed path, or null after answering the request with a 400
     */
    public static RawPath admit(ServerRequest req, ServerResponse res, String requestId, boolean allowEncodedSlash) {
        if (req.headers().contains(HeaderNames.TRANSFER_ENCODING) && req.headers().contains(HeaderNames.CONTENT_LENGTH)) {
            // RFC 9112 section 6.1: a message with both is a request-smuggling attempt or a broken
            // client; forwarding it lets the next hop frame it differently. Refuse and close.
            res.header(HeaderNames.CONNECTION, "close");
            Problem.send(res, 400, "Bad Request", "Content-Length and Transfer-Encoding must not both be present",
                    requestId);
            return null;
        }
        try {
            return RawPath.parse(req.prologue().uriPath().rawPath(), allowEncodedSlash);
        } catch (InvalidPathException e) {
            Problem.send(res, 400, "Bad Request", e.getMessage(), requestId);
            return null;
        }
    }
}
