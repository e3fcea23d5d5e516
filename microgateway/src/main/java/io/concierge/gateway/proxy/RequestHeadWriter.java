package io.concierge.gateway.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the HTTP/1.1 head of every request sent upstream: the proxy's ({@link ProxyEngine}) and
 * composition's ({@link BufferedGet}). Bytes a client chose reach an upstream head only through
 * here, so they are checked here, once: HTTP/2 lets a client put CR, LF and NUL into header values
 * and into {@code :path}, and an HTTP/1.1 head written from them unchecked carries a second request
 * of the client's making, past every check of the edge (issue 12).
 *
 * <p>Rules ({@link HeadChars}): the method and every header name are RFC 9110 tokens; the target is
 * visible ASCII only; a header value has no control character other than HTAB and no char above
 * U+00FF. A violation is an {@link UnsafeRequestHeadException}. Clean input costs one loop over the
 * chars and no allocation beyond the head itself.
 *
 * <p>The lines are kept as ISO-8859-1 bytes, the encoding they go out in, and the proxy's head is
 * assembled from them straight into a byte array its connection reuses ({@link #assembleInto}): no
 * builder, intermediate strings, encoding copy or head array per request.
 */
final class RequestHeadWriter {
    /** A head this large is not kept for the connection's next requests. */
    private static final int KEPT_CAPACITY = 16 * 1024;
    /**
     * The proxy's writer for this thread, i.e. for this client connection (one virtual thread
     * each): its lines live only until the request's exchange is over, so the connection's next
     * request reuses the array instead of allocating one (issue 19).
     */
    private static final ThreadLocal<RequestHeadWriter> PER_THREAD = new ThreadLocal<>();

    private byte[] head;
    private int length;
    private boolean borrowed;

    RequestHeadWriter(int capacity) {
        this.head = new byte[capacity];
    }

    /**
     * This thread's writer, empty, with room for at least {@code capacity} bytes; give it back with
     * {@link #release} once nothing reads its lines any more. A second borrow on the same thread
     * before the release gets a writer of its own.
     */
    static RequestHeadWriter borrow(int capacity) {
        RequestHeadWriter w = PER_THREAD.get();
        if (w == null) {
            w = new RequestHeadWriter(capacity);
            PER_THREAD.set(w);
        } else if (w.borrowed) {
            return new RequestHeadWriter(capacity);
        } else if (w.head.length < capacity) {
            w.head = new byte[capacity];
        }
        w.length = 0;
        w.borrowed = true;
        return w;
    }

    /** The lines of a {@link #borrow}ed writer are no longer read; a no-op on any other writer. */
    void release() {
        if (borrowed) {
            borrowed = false;
            if (head.length > KEPT_CAPACITY) {
                head = new byte[0];
            }
        }
    }

    /** {@code METHOD target HTTP/1.1} and its CRLF. */
    static String requestLine(String method, String target) throws UnsafeRequestHeadException {
        if (!HeadChars.isToken(method)) {
            throw new UnsafeRequestHeadException("the request method is not a valid token");
        }
        if (!HeadChars.isRequestTarget(target)) {
            throw new UnsafeRequestHeadException(
                    "the request target contains a space, a control character or an unencoded non-ASCII character");
        }
        return method + " " + target + " HTTP/1.1\r\n";
    }

    /** Appends {@code name: value} and its CRLF. */
    RequestHeadWriter header(String name, String value) throws UnsafeRequestHeadException {
        check(name, value);
        int needed = length + name.length() + value.length() + 4;
        if (needed > head.length) {
            head = Arrays.copyOf(head, Math.max(needed, head.length * 2));
        }
        length = putLatin1(name, head, length);
        head[length++] = ':';
        head[length++] = ' ';
        length = putLatin1(value, head, length);
        head[length++] = '\r';
        head[length++] = '\n';
        return this;
    }

    static void check(String name, String value) throws UnsafeRequestHeadException {
        if (!HeadChars.isToken(name)) {
            throw new UnsafeRequestHeadException("a header name is not a valid token");
        }
        if (!HeadChars.isFieldValue(value)) {
            // The name passed the token check, so it is safe to repeat.
            throw new UnsafeRequestHeadException("the value of header '" + name
                    + "' contains a control character (CR, LF, NUL, ...) or a character outside ISO-8859-1");
        }
    }

    /**
     * A whole head: request line (from {@link #requestLine}), {@code Host}, the checked lines of a
     * writer, lines this gateway generated itself (trace context), the body's framing, the blank line.
     */
    static String assemble(String requestLine, String host, String checkedLines, String ownLines, String framing)
            throws UnsafeRequestHeadException {
        // The authority comes from configuration or discovery, not the client; checked all the same,
        // since a registry entry is data too.
        check("Host", host);
        return requestLine + "Host: " + host + "\r\n" + checkedLines + ownLines + framing + "\r\n";
    }

    /**
     * The proxy's whole head as the bytes to send, written into {@code out} (at least
     * {@link #headLength} bytes, a buffer its connection reuses): request line (from
     * {@link #requestLine}), {@code Host}, the {@code checked} lines, lines this gateway generated
     * itself (trace context), the body's framing, the blank line; the same bytes as {@link #assemble}
     * encoded in ISO-8859-1. Check the host with {@link #checkHost} first.
     *
     * @return the head's length
     */
    static int assembleInto(byte[] out, String requestLine, String host, RequestHeadWriter checked, String ownLines,
                            String framing) {
        int at = putLatin1(requestLine, out, 0);
        at = putLatin1("Host: ", out, at);
        at = putLatin1(host, out, at);
        out[at++] = '\r';
        out[at++] = '\n';
        System.arraycopy(checked.head, 0, out, at, checked.length);
        at += checked.length;
        at = putLatin1(ownLines, out, at);
        at = putLatin1(framing, out, at);
        out[at++] = '\r';
        out[at++] = '\n';
        return at;
    }

    /** The length of the head {@link #assembleInto} writes. */
    static int headLength(String requestLine, String host, RequestHeadWriter checked, String ownLines,
                          String framing) {
        return requestLine.length() + 6 + host.length() + 2 + checked.length + ownLines.length() + framing.length() + 2;
    }

    /**
     * The authority comes from configuration or discovery, not the client; checked all the same,
     * since a registry entry is data too.
     */
    static void checkHost(String host) throws UnsafeRequestHeadException {
        check("Host", host);
    }

    /** Encodes {@code s} as {@code String.getBytes(ISO_8859_1)} would (a char above U+00FF as '?'). */
    private static int putLatin1(String s, byte[] to, int at) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            to[at++] = c <= 0xFF ? (byte) c : (byte) '?';
        }
        return at;
    }

    /** The header lines written so far. */
    String lines() {
        return new String(head, 0, length, StandardCharsets.ISO_8859_1);
    }
}
