package io.concierge.gateway.requestid;

import java.util.UUID;

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

    private RequestIds() {
    }

    public static String resolve(Headers headers) {
        if (headers.contains(HEADER)) {
            var values = headers.values(HEADER);
            if (values.size() == 1 && isSane(values.get(0))) {
                return values.get(0);
            }
        }
        return UUID.randomUUID().toString();
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
