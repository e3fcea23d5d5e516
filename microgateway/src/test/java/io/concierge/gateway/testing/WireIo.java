package io.concierge.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The few HTTP/1.1 wire primitives that {@link WireUpstream} and {@link WireClient} share. */
final class WireIo {
    /** Bodies up to this size are kept as bytes; larger ones only as length and SHA-256. */
    static final int KEEP_LIMIT = 8 * 1024 * 1024;

    private WireIo() {
    }

    /** A body as it came off the wire. */
    record Body(long length, String sha256, byte[] bytes, int chunks, List<String> trailers) {
    }

    /**
     * One line without its CRLF (a bare LF also ends it), ISO-8859-1, or null at a clean end of
     * stream before the first byte.
     */
    static String readLine(InputStream in, int maxLength) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (sb.isEmpty()) {
                    return null;
                }
                throw new EOFException("stream ended inside a line");
            }
            if (b == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') {
                    sb.setLength(n - 1);
                }
                return sb.toString();
            }
            if (sb.length() >= maxLength) {
                throw new IOException("line longer than " + maxLength + " bytes");
            }
            sb.append((char) b);
        }
    }

    /** Header lines up to the empty line; an end of stream first is an error. */
    static List<String> readHeaderLines(InputStream in, int maxTotal) throws IOException {
        List<String> lines = new ArrayList<>();
        int total = 0;
        while (true) {
            String line = readLine(in, maxTotal);
            if (line == null) {
                throw new EOFException("stream ended inside the header section");
            }
            if (line.isEmpty()) {
                return lines;
            }
            total += line.length();
            if (total > maxTotal) {
                throw new IOException("header section larger than " + maxTotal + " bytes");
            }
            lines.add(line);
        }
    }

    static String name(String headerLine) {
        int colon = headerLine.indexOf(':');
        return colon < 0 ? headerLine : headerLine.substring(0, colon);
    }

    static String value(String headerLine) {
        int colon = headerLine.indexOf(':');
        return colon < 0 ? "" : headerLine.substring(colon + 1).strip();
    }

    /** Every value of {@code name} (case-insensitive), one per header line, in order. */
    static List<String> values(List<String> headerLines, String name) {
        List<String> values = new ArrayList<>();
        for (String line : headerLines) {
            if (name(line).equalsIgnoreCase(name)) {
                values.add(value(line));
            }
        }
        return values;
    }

    static String first(List<String> headerLines, String name) {
        List<String> v = values(headerLines, name);
        return v.isEmpty() ? null : v.get(0);
    }

    /** True when the last transfer coding named is {@code chunked}. */
    static boolean chunked(List<String> headerLines) {
        List<String> te = values(headerLines, "Transfer-Encoding");
        if (te.isEmpty()) {
            return false;
        }
        String last = te.get(te.size() - 1);
        int comma = last.lastIndexOf(',');
        return (comma >= 0 ? last.substring(comma + 1) : last).trim().toLowerCase(Locale.ROOT).equals("chunked");
    }

    /** The declared Content-Length, or -1 when absent. */
    static long contentLength(List<String> headerLines) throws IOException {
        String v = first(headerLines, "Content-Length");
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length '" + v + "'");
        }
    }

    /** Reads exactly {@code length} bytes, or up to the end of stream when {@code length < 0}. */
    static Body readPlain(InputStream in, long length) throws IOException {
        MessageDigest md = GeneratedBytes.sha256();
        Keeper keep = new Keeper();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        while (length < 0 || total < length) {
            int want = length < 0 ? buf.length : (int) Math.min(buf.length, length - total);
            int n = in.read(buf, 0, want);
            if (n < 0) {
                if (length < 0) {
                    break;
                }
                throw new EOFException("body ended after " + total + " of " + length + " bytes");
            }
            md.update(buf, 0, n);
            keep.write(buf, n, total);
            total += n;
        }
        return new Body(total, GeneratedBytes.hex(md), keep.bytes(total), 0, List.of());
    }

    static Body readChunked(InputStream in) throws IOException {
        MessageDigest md = GeneratedBytes.sha256();
        Keeper keep = new Keeper();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int chunks = 0;
        while (true) {
            String sizeLine = readLine(in, 1024);
            if (sizeLine == null) {
                throw new EOFException("stream ended before a chunk size");
            }
            int semi = sizeLine.indexOf(';');
            String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size line '" + sizeLine + "'");
            }
            if (size == 0) {
                break;
            }
            chunks++;
            long left = size;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new EOFException("stream ended inside a chunk");
                }
                md.update(buf, 0, n);
                keep.write(buf, n, total);
                total += n;
                left -= n;
            }
            String crlf = readLine(in, 2);
            if (crlf == null || !crlf.isEmpty()) {
                throw new IOException("chunk data not followed by CRLF");
            }
        }
        List<String> trailers = new ArrayList<>();
        while (true) {
            String line = readLine(in, 8192);
            if (line == null) {
                throw new EOFException("stream ended in the trailer section");
            }
            if (line.isEmpty()) {
                break;
            }
            trailers.add(line);
        }
        return new Body(total, GeneratedBytes.hex(md), keep.bytes(total), chunks, List.copyOf(trailers));
    }

    /** Keeps the first {@link #KEEP_LIMIT} bytes; bodies beyond that are not kept at all. */
    private static final class Keeper {
        private ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        void write(byte[] buf, int n, long before) {
            if (bytes == null) {
                return;
            }
            if (before + n > KEEP_LIMIT) {
                bytes = null;
                return;
            }
            bytes.write(buf, 0, n);
        }

        byte[] bytes(long total) {
            return bytes == null ? null : bytes.toByteArray();
        }
    }
}
