package io.concierge.gateway.proxy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import io.concierge.gateway.pool.UpstreamConnection;
import io.concierge.gateway.pool.UpstreamProtocolException;

/**
 * Status line and header fields of an upstream response, in order, repeats kept.
 *
 * <p>Whatever is read here may be relayed to a client, so it is held to the rules the proxy's own
 * request heads follow ({@link HeadChars}): a reason phrase or header value with a control
 * character other than HTAB (a bare CR, NUL, ...) or a header name that is not a token makes the
 * whole response invalid (a 502), rather than being passed on or patched. RFC 9112 §2.2 allows
 * replacing a bare CR with SP instead; refusing is chosen because an upstream that sends such bytes
 * is broken or hostile, and a repaired head would hide that.
 */
record ResponseHead(int status, String reason, boolean http11, List<String[]> headers) {
    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 64 * 1024;
    /**
     * Interim (1xx) responses skipped before the final one. 100 Continue and a few 103 Early Hints
     * are normal; an upstream that keeps sending them only holds the request.
     */
    static final int MAX_INTERIM = 16;
    private static final String[] COMMON_NAMES = {"Content-Type", "Content-Length", "Connection", "Date", "Server",
            "Cache-Control", "ETag", "Last-Modified", "Vary", "Transfer-Encoding", "Keep-Alive", "Content-Encoding",
            "Via", "X-Request-Id"};

    /**
     * Reads the final response head, skipping interim 1xx ones: at most {@link #MAX_INTERIM} of them
     * (a 502 past that) and never past {@code deadline} in all (a timeout, so a 504), however
     * promptly each one arrives.
     *
     * @param deadline {@link System#nanoTime()} by which the final head must have begun
     */
    static ResponseHead readFinal(UpstreamConnection conn, long deadline) throws IOException {
        for (int interim = 0; ; interim++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no final response in time (after " + interim + " interim responses)");
            }
            conn.readTimeout(Duration.ofNanos(Math.max(left, 1_000_000)));
            ResponseHead response = read(conn.in());
            if (response == null) {
                throw new UpstreamProtocolException("upstream closed the connection without a response");
            }
            if (response.status() >= 200) {
                return response;
            }
            if (response.status() == 101) {
                throw new UpstreamProtocolException("upstream switched protocols, which is not supported");
            }
            if (interim + 1 >= MAX_INTERIM) {
                throw new UpstreamProtocolException("upstream sent more than " + MAX_INTERIM
                        + " interim responses");
            }
        }
    }

    /** @return the head, or null if the connection closed before the first byte */
    static ResponseHead read(UpstreamConnection.HeadReader in) throws IOException {
        String statusLine = in.readLine(MAX_LINE);
        if (statusLine == null) {
            return null;
        }
        // "HTTP/1.1 200 OK" - the reason phrase may be empty or missing.
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.") || statusLine.charAt(8) != ' ') {
            throw new UpstreamProtocolException("not an HTTP/1.x status line");
        }
        boolean http11 = statusLine.charAt(7) == '1';
        int status;
        try {
            status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new UpstreamProtocolException("bad status code");
        }
        if (status < 100 || status > 599 || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
            throw new UpstreamProtocolException("bad status code");
        }
        String reason = statusLine.length() > 13 ? statusLine.substring(13) : "";
        if (!HeadChars.isFieldValue(reason)) {
            throw new UpstreamProtocolException("control character in the reason phrase");
        }
        List<String[]> headers = new ArrayList<>();
        int total = 0;
        while (true) {
            String line = in.readLine(MAX_LINE);
            if (line == null) {
                throw new UpstreamProtocolException("connection closed inside the response head");
            }
            if (line.isEmpty()) {
                break;
            }
            total += line.length();
            if (total > MAX_HEADERS) {
                throw new UpstreamProtocolException("response head larger than " + MAX_HEADERS + " bytes");
            }
            char first = line.charAt(0);
            if (first == ' ' || first == '\t') {
                // Obsolete line folding is a known smuggling vector (RFC 9112 section 5.2).
                throw new UpstreamProtocolException("obsolete header line folding");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !HeadChars.isToken(line, 0, colon)) {
                throw new UpstreamProtocolException("malformed header field");
            }
            // Trimmed as String.strip() would, with one substring instead of two per header.
            int start = colon + 1;
            int end = line.length();
            while (start < end && Character.isWhitespace(line.charAt(start))) {
                start++;
            }
            while (end > start && Character.isWhitespace(line.charAt(end - 1))) {
                end--;
            }
            String value = line.substring(start, end);
            if (!HeadChars.isFieldValue(value)) {
                throw new UpstreamProtocolException("control character in the value of header '"
                        + line.substring(0, colon) + "'");
            }
            headers.add(new String[] {name(line, colon), value});
        }
        return new ResponseHead(status, reason, http11, headers);
    }

    /**
     * The field name, as the upstream spelled it: the shared constant when it is one of the names
     * nearly every response carries in their usual spelling, so those cost no string per response.
     */
    private static String name(String line, int colon) {
        for (String known : COMMON_NAMES) {
            if (known.length() == colon && line.startsWith(known)) {
                return known;
            }
        }
        return line.substring(0, colon);
    }

    /** All values of a header, case-insensitively; a list is allocated only when there is one. */
    List<String> values(String name) {
        List<String> values = null;
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new ArrayList<>(1);
                }
                values.add(h[1]);
            }
        }
        return values == null ? List.of() : values;
    }

    /** Whether a header of this name is present (any case); allocates nothing. */
    boolean has(String name) {
        return last(name) != null;
    }

    /** The last value of a header (any case), or null. */
    private String last(String name) {
        String last = null;
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                last = h[1];
            }
        }
        return last;
    }

    boolean chunked() {
        String last = last("Transfer-Encoding");
        if (last == null) {
            return false;
        }
        int comma = last.lastIndexOf(',');
        return (comma >= 0 ? last.substring(comma + 1) : last).trim().equalsIgnoreCase("chunked");
    }

    boolean hasTransferEncoding() {
        return has("Transfer-Encoding");
    }

    /** @return the declared length, -1 if none; throws on conflicting or malformed values */
    /** Whether every char is 0-9 (the head is Latin-1, where those are the only digits). */
    private static boolean asciiDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    long contentLength() throws UpstreamProtocolException {
        long length = -1;
        for (String[] h : headers) {
            if (!h[0].equalsIgnoreCase("Content-Length")) {
                continue;
            }
            String v = h[1];
            // One value without a comma (the usual case) is not split: no array per response.
            for (String part : v.indexOf(',') < 0 ? new String[] {v} : v.split(",")) {
                String p = part.trim();
                if (p.isEmpty() || p.length() > 18 || !asciiDigits(p)) {
                    throw new UpstreamProtocolException("bad Content-Length");
                }
                long n = Long.parseLong(p);
                if (length >= 0 && n != length) {
                    throw new UpstreamProtocolException("conflicting Content-Length values");
                }
                length = n;
            }
        }
        return length;
    }

    boolean connectionClose() {
        for (String[] h : headers) {
            if (!h[0].equalsIgnoreCase("Connection")) {
                continue;
            }
            String v = h[1];
            if (v.indexOf(',') < 0) {
                // One token (keep-alive, close), the usual case: no split array per response.
                if (v.trim().equalsIgnoreCase("close")) {
                    return true;
                }
                continue;
            }
            for (String token : v.split(",")) {
                if (token.trim().equalsIgnoreCase("close")) {
                    return true;
                }
            }
        }
        return !http11;
    }
}
