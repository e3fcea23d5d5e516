package io.concierge.gateway.requestid;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

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
        return generate();
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /**
     * A new id in the form of a random (version 4) UUID. From {@link ThreadLocalRandom}, not
     * {@code UUID.randomUUID()}'s {@code SecureRandom}: an id correlates log lines and is no secret
     * (clients may choose their own), and the secure generator cost a visible share of a request's
     * CPU (docs/benchmarks.md, issue 19).
     */
    public static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = (r.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
        byte[] b = new byte[36];
        hex(b, 0, hi >>> 32, 8);
        b[8] = '-';
        hex(b, 9, hi >>> 16, 4);
        b[13] = '-';
        hex(b, 14, hi, 4);
        b[18] = '-';
        hex(b, 19, lo >>> 48, 4);
        b[23] = '-';
        hex(b, 24, lo, 12);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The low {@code digits} hex digits of {@code v} into {@code b} at {@code at}. */
    private static void hex(byte[] b, int at, long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            b[at + i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
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
