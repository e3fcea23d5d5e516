package io.concierge.gateway.rewrite;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request path as the client sent it (still percent-encoded), split into segments, each decoded
 * exactly once for matching. The raw segments are what gets forwarded, so the upstream sees the
 * client's bytes and nothing is ever decoded twice.
 *
 * <p>Parsing rejects what could make the gateway and the upstream disagree about the path: dot
 * segments in any spelling ({@code ..}, {@code %2e%2e}, {@code .%2E}, and with path parameters:
 * {@code ..;x}, {@code .%3B}), empty segments, encoded
 * slashes and backslashes (unless allowed), NUL and other control characters, malformed
 * percent-encoding and invalid UTF-8.
 */
public final class RawPath {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private final String raw;
    private final List<String> rawSegments;
    private final List<String> segments;
    private final boolean trailingSlash;

    private RawPath(String raw, List<String> rawSegments, List<String> segments, boolean trailingSlash) {
        this.raw = raw;
        this.rawSegments = rawSegments;
        this.segments = segments;
        this.trailingSlash = trailingSlash;
    }

    /**
     * @throws InvalidPathException with a message fit for a 400 response
     */
    public static RawPath parse(String raw, boolean allowEncodedSlash) {
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            throw new InvalidPathException("the path must start with '/'");
        }
        List<String> rawSegments = new ArrayList<>();
        List<String> segments = new ArrayList<>();
        boolean trailingSlash = false;
        int start = 1;
        if (raw.length() == 1) {
            return new RawPath(raw, List.of(), List.of(), false);
        }
        while (start <= raw.length()) {
            int end = raw.indexOf('/', start);
            if (end < 0) {
                end = raw.length();
            }
            String rawSegment = raw.substring(start, end);
            if (rawSegment.isEmpty()) {
                if (end == raw.length()) {
                    trailingSlash = true;
                    break;
                }
                throw new InvalidPathException("empty path segments ('//') are not allowed");
            }
            String decoded = decode(rawSegment);
            checkNotDotBeforeParameters(decoded);
            if (!allowEncodedSlash && (decoded.indexOf('/') >= 0 || decoded.indexOf('\\') >= 0)) {
                throw new InvalidPathException("encoded '/' or '\\' is not allowed in the path");
            }
            rawSegments.add(rawSegment);
            segments.add(decoded);
            start = end + 1;
        }
        return new RawPath(raw, List.copyOf(rawSegments), List.copyOf(segments), trailingSlash);
    }

    /**
     * Refuses a segment that is {@code .}, {@code ..} or empty once its path parameters are cut off.
     * Servlet containers and the frameworks on them drop everything from the first {@code ;} of a
     * segment ({@code /..;/admin} is {@code /../admin} to Tomcat), some after decoding, so an encoded
     * {@code %3B} counts as a separator here too: the segment is checked decoded, cut at its first
     * {@code ;}. Refusing is safe for every reading of the segment; forwarding it is not.
     */
    private static void checkNotDotBeforeParameters(String decoded) {
        int end = decoded.indexOf(';');
        if (end < 0) {
            end = decoded.length();
        }
        if (end == 0) {
            throw new InvalidPathException("a path segment must not be empty before its ';' parameters");
        }
        if (end <= 2 && decoded.charAt(0) == '.' && (end == 1 || decoded.charAt(1) == '.')) {
            throw new InvalidPathException(end == decoded.length() ? "dot segments are not allowed in the path"
                    : "dot segments are not allowed in the path, with or without ';' parameters");
        }
    }

    static String decode(String rawSegment) {
        if (rawSegment.indexOf('%') < 0) {
            checkChars(rawSegment);
            // Raw non-ASCII cannot be forwarded intact: Helidon reads the request line as US-ASCII, so
            // a raw 'ä' arrives here as U+FFFD, would go upstream as '?' and start a query there.
            for (int i = 0; i < rawSegment.length(); i++) {
                if (rawSegment.charAt(i) > 0x7e) {
                    throw new InvalidPathException("the path must be ASCII; encode other characters");
                }
            }
            return rawSegment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawSegment.length());
        for (int i = 0; i < rawSegment.length(); i++) {
            char c = rawSegment.charAt(i);
            if (c == '%') {
                if (i + 2 >= rawSegment.length()) {
                    throw new InvalidPathException("malformed percent-encoding in the path");
                }
                int hi = Character.digit(rawSegment.charAt(i + 1), 16);
                int lo = Character.digit(rawSegment.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new InvalidPathException("malformed percent-encoding in the path");
                }
                bytes.write((hi << 4) | lo);
                i += 2;
            } else if (c > 0x7e) {
                throw new InvalidPathException("the path must be ASCII; encode other characters");
            } else {
                bytes.write(c);
            }
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidPathException("the path is not valid UTF-8 once decoded");
        }
        checkChars(decoded);
        return decoded;
    }

    private static void checkChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new InvalidPathException("control characters are not allowed in the path");
            }
        }
    }

    public String raw() {
        return raw;
    }

    /**
     * The path in RFC 3986 normal form (section 6.2.2): percent-encoded unreserved characters
     * ({@code A-Z a-z 0-9 - . _ ~}) decoded, every other percent-encoding kept with uppercase hex.
     * Every spelling of a path that means the same to any conforming server has this one form, and
     * it never turns an encoded {@code /}, {@code ;} or {@code ?} into a delimiter, so it can be
     * forwarded. The raw path itself when it has no percent sign (no allocation).
     */
    public String normalised() {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        StringBuilder sb = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            // parse() checked every escape already.
            int hi = Character.digit(raw.charAt(i + 1), 16);
            int lo = Character.digit(raw.charAt(i + 2), 16);
            int b = (hi << 4) | lo;
            if (isUnreserved(b)) {
                sb.append((char) b);
            } else {
                sb.append('%').append(HEX[hi]).append(HEX[lo]);
            }
            i += 2;
        }
        return sb.toString();
    }

    private static boolean isUnreserved(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '-' || b == '.' || b == '_' || b == '~';
    }

    /** Decoded segments, for matching; never forwarded. */
    public List<String> segments() {
        return segments;
    }

    /** Segments exactly as the client sent them. */
    public List<String> rawSegments() {
        return rawSegments;
    }

    public boolean trailingSlash() {
        return trailingSlash;
    }

    /** The raw path from segment {@code from} on, with a leading '/' (or "" when nothing is left). */
    public String rawSuffix(int from) {
        if (from >= rawSegments.size()) {
            return trailingSlash && from == rawSegments.size() && from > 0 ? "/" : "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < rawSegments.size(); i++) {
            sb.append('/').append(rawSegments.get(i));
        }
        if (trailingSlash) {
            sb.append('/');
        }
        return sb.toString();
    }
}
