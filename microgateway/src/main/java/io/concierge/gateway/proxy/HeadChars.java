package io.concierge.gateway.proxy;

/**
 * What may stand in the parts of an HTTP/1.1 head (RFC 9110 §5.1, §5.5; RFC 9112 §3.2, §4), checked
 * both ways: in request heads the proxy writes upstream and in response heads it reads back. Each
 * check is one loop over the chars with a table lookup: no regex, no allocation.
 */
final class HeadChars {
    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private HeadChars() {
    }

    /** A non-empty RFC 9110 token: a method or a header field name. */
    static boolean isToken(String s) {
        return s != null && isToken(s, 0, s.length());
    }

    static boolean isToken(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 128 || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A field value (or a reason phrase) that is safe to write: HTAB, SP, visible ASCII and
     * obs-text (0x80-0xFF). Every other control character is refused, not only CR, LF and NUL: they
     * have no meaning in a value and upstream parsers disagree about them. A char above U+00FF can
     * only come from an HTTP/2 value (Helidon decodes those as UTF-8) and has no single-byte form in
     * an HTTP/1.1 head, so it is refused too rather than silently turned into '?'.
     */
    static boolean isFieldValue(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 ? c != '\t' : c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    /**
     * A request target in origin form as the proxy forwards it: non-empty, visible ASCII only
     * (0x21-0x7E). No space (it would end the target), no control character, no DEL, no raw
     * non-ASCII: RFC 3986 requires those percent-encoded, and a raw one from an HTTP/2 {@code :path}
     * has been decoded as UTF-8 already, so it could not be forwarded byte for byte anyway.
     */
    static boolean isRequestTarget(String s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
