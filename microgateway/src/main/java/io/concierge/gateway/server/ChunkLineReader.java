package io.concierge.gateway.server;

import java.util.function.Supplier;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.DirectHandler;
import io.helidon.http.RequestException;

/**
 * Helidon 4.3.0 reads a request body's chunk-size lines with {@link #readLine()} (and only those)
 * and parses the whole line as hex, so a valid chunk extension ({@code 1;a=b}, RFC 9112 section
 * 7.1.1) is answered 400. This reader hands it the size alone once the extension is checked
 * against the grammar; anything malformed is passed on unchanged, for Helidon to refuse. It also
 * bounds the line, which Helidon reads without a limit.
 */
final class ChunkLineReader extends DataReader {
    /** A chunk size with sane extensions fits easily; more is an attack on memory. */
    static final int MAX_CHUNK_LINE = 4096;

    ChunkLineReader(Supplier<byte[]> bytes) {
        super(bytes);
    }

    @Override
    public String readLine() {
        int eol = findNewLine(MAX_CHUNK_LINE);
        if (eol >= MAX_CHUNK_LINE) {
            throw RequestException.builder()
                    .type(DirectHandler.EventType.BAD_REQUEST)
                    .message("chunk size line over " + MAX_CHUNK_LINE + " bytes")
                    .build();
        }
        String line = readAsciiString(eol);
        skip(2);
        return withoutExtensions(line);
    }

    /**
     * {@code chunk-size *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )} becomes the size;
     * any other line is returned as it is.
     */
    static String withoutExtensions(String line) {
        int semi = line.indexOf(';');
        if (semi < 0) {
            return line;
        }
        int end = semi;
        while (end > 0 && isBws(line.charAt(end - 1))) {
            end--;
        }
        if (end == 0) {
            return line;
        }
        for (int i = 0; i < end; i++) {
            if (Character.digit(line.charAt(i), 16) < 0) {
                return line;
            }
        }
        return validExtensions(line, semi) ? line.substring(0, end) : line;
    }

    private static boolean validExtensions(String s, int i) {
        int n = s.length();
        while (i < n) {
            if (s.charAt(i) != ';') {
                return false;
            }
            i = skipBws(s, i + 1);
            int name = i;
            while (i < n && isTchar(s.charAt(i))) {
                i++;
            }
            if (i == name) {
                return false;
            }
            i = skipBws(s, i);
            if (i < n && s.charAt(i) == '=') {
                i = skipBws(s, i + 1);
                if (i < n && s.charAt(i) == '"') {
                    i = endOfQuoted(s, i + 1);
                    if (i < 0) {
                        return false;
                    }
                } else {
                    int value = i;
                    while (i < n && isTchar(s.charAt(i))) {
                        i++;
                    }
                    if (i == value) {
                        return false;
                    }
                }
                i = skipBws(s, i);
            }
        }
        return true;
    }

    /** Index after the closing quote, or -1 (RFC 9110 section 5.6.4: qdtext and quoted-pair). */
    private static int endOfQuoted(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                if (i + 1 >= s.length() || !isQuotable(s.charAt(i + 1))) {
                    return -1;
                }
                i += 2;
                continue;
            }
            if (!isQuotable(c) || c == '\\') {
                return -1;
            }
            i++;
        }
        return -1;
    }

    private static boolean isQuotable(char c) {
        return c == '\t' || c >= 0x20 && c != 0x7f && c <= 0xff;
    }

    private static int skipBws(String s, int i) {
        while (i < s.length() && isBws(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isBws(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isTchar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
