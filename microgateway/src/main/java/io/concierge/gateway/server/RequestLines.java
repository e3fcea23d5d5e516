package io.concierge.gateway.server;

/** Recognises the first request line of a connection, byte by byte (no allocation). */
final class RequestLines {
    private static final byte[] HTTP_10 = {' ', 'H', 'T', 'T', 'P', '/', '1', '.', '0'};
    private static final byte[] PREFACE = {'P', 'R', 'I', ' ', '*', ' ', 'H', 'T', 'T', 'P', '/', '2', '.', '0'};

    private RequestLines() {
    }

    /** {@code METHOD target HTTP/1.0}: ends with the version, and the method starts with a letter. */
    static boolean isHttp10(byte[] line) {
        return line.length > HTTP_10.length + 2 && line[0] >= 'A' && line[0] <= 'Z'
                && endsWith(line, HTTP_10);
    }

    /** The first line of the HTTP/2 connection preface (RFC 9113 section 3.4). */
    static boolean isHttp2Preface(byte[] line) {
        return line.length == PREFACE.length && endsWith(line, PREFACE);
    }

    /**
     * Whether the line starts with a method that is an RFC 9110 token followed by a space (or is all
     * token): Helidon 4.3.0 turns a method with other bytes (a TLS ClientHello on a plain port) into
     * a 500 instead of a 400.
     */
    static boolean startsWithToken(byte[] line) {
        for (byte b : line) {
            if (b == ' ') {
                return true;
            }
            if (!isTchar(b)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTchar(byte b) {
        if (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9') {
            return true;
        }
        return switch (b) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }

    private static boolean endsWith(byte[] line, byte[] suffix) {
        int off = line.length - suffix.length;
        for (int i = 0; i < suffix.length; i++) {
            if (line[off + i] != suffix[i]) {
                return false;
            }
        }
        return true;
    }
}
