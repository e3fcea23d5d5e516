package io.concierge.gateway.requestid;

import java.util.UUID;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * The request id that ties a client's request to every hop and log line. A client-sent id is kept
 * only if it is sane (short, printable, no separators that could break log formats or headers);
 * anything else is replaced, never echoed.
 */
public final class RequestIds {
    public static final HeaderName HEADER = HeaderNames.create("X-Request-Id");
    private static final int MAX_LENGTH = 128;
    /**
     * The id of the request this thread is handling, for application log lines (JSON logs): a request
     * runs on one (virtual) thread from the request-id step to its answer. Work the request hands to
     * other threads (parallel composition calls) does not see it.
     */
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private RequestIds() {
    }

    public static String resolve(Headers headers) {
        if (headers.contains(HEADER)) {
            // Kept only as the one value of one field line. Helidon's values(HEADER) would also split
            // at commas, but a sane id has none, so the one line's value decides on its own: no
            // stream pipeline or list per request.
            Header h = headers.get(HEADER);
            if (h.valueCount() == 1) {
                String id = h.get();
                if (isSane(id)) {
                    return id;
                }
            }
        }
        return UUID.randomUUID().toString();
    }

    /** The current thread's request id, or null outside a request. */
    public static String current() {
        return CURRENT.get();
    }

    /**
     * Makes {@code id} the thread's current request id and returns the previous one, which the caller
     * hands to {@link #exit} in a finally block (no lambda, nothing allocated per request).
     */
    public static String enter(String id) {
        String previous = CURRENT.get();
        CURRENT.set(id);
        return previous;
    }

    /** Restores the request id {@link #enter} replaced. */
    public static void exit(String previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    static boolean isSane(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '=' || c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
