package io.concierge.gateway.server;

import java.util.List;

import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.rewrite.InvalidPathException;
import io.concierge.gateway.rewrite.RawPath;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.webserver.CloseConnectionException;
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
     * @throws CloseConnectionException after answering a request whose framing is ambiguous
     */
    public static RawPath admit(ServerRequest req, ServerResponse res, String requestId, boolean allowEncodedSlash) {
        String framingError = framingError(req.headers());
        if (framingError != null) {
            // RFC 9112 section 6: when the body's length is ambiguous, this hop and the next could
            // split the stream into different requests (request smuggling). Refuse and close.
            res.header(HeaderNames.CONNECTION, "close");
            Problem.send(res, 400, "Bad Request", framingError, requestId);
            // The header alone does not close it: Helidon skips draining the body of a response marked
            // "Connection: close" but keeps reading, so the unread body would be parsed as the next
            // request - exactly the smuggled one. Only this exception makes Helidon drop the connection.
            throw new CloseConnectionException("ambiguous request framing: " + framingError);
        }
        try {
            return RawPath.parse(req.prologue().uriPath().rawPath(), allowEncodedSlash);
        } catch (InvalidPathException e) {
            Problem.send(res, 400, "Bad Request", e.getMessage(), requestId);
            return null;
        }
    }

    /**
     * Helidon reads a body as chunked only for exactly {@code Transfer-Encoding: chunked}, and by the
     * first Content-Length otherwise; any other coding ({@code identity}, {@code gzip, chunked},
     * {@code Chunked}), several codings, or several or signed lengths would leave body bytes behind
     * to be parsed as the next request, while a proxy in front may have framed them as this body.
     *
     * @return why the framing is refused, or null when it is unambiguous
     */
    static String framingError(Headers headers) {
        boolean te = headers.contains(HeaderNames.TRANSFER_ENCODING);
        boolean cl = headers.contains(HeaderNames.CONTENT_LENGTH);
        if (te && ConnectionFraming.isHttp10()) {
            // RFC 9112 section 6.1: HTTP/1.0 has no transfer codings, so such framing is faulty.
            return "Transfer-Encoding is not part of HTTP/1.0";
        }
        if (te && cl) {
            return "Content-Length and Transfer-Encoding must not both be present";
        }
        if (te) {
            List<String> codings = headers.values(HeaderNames.TRANSFER_ENCODING);
            if (codings.size() != 1 || !codings.get(0).equals("chunked")) {
                return "the only supported Transfer-Encoding is 'chunked'";
            }
        }
        if (cl) {
            List<String> lengths = headers.values(HeaderNames.CONTENT_LENGTH);
            if (lengths.size() != 1 || !isDecimal(lengths.get(0))) {
                return "Content-Length must be a single decimal number";
            }
        }
        return null;
    }

    private static boolean isDecimal(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
