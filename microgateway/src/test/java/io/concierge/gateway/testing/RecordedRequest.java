package io.concierge.gateway.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One request exactly as it arrived at a {@link WireUpstream}: the raw request line, the raw header
 * lines in order (repeats kept, case kept), how the body was framed, and the decoded body's length
 * and SHA-256 (plus its bytes when it is small).
 *
 * @param connection    1-based number of the TCP connection it arrived on, in accept order
 * @param sequence      1-based position of the request on that connection
 * @param requestLine   e.g. {@code GET /a?b=1 HTTP/1.1}
 * @param headerLines   e.g. {@code X-Multi: a}, without CRLF
 * @param framing       {@link Framing#NONE}, {@link Framing#CONTENT_LENGTH} or {@link Framing#CHUNKED}
 * @param contentLength the declared Content-Length, -1 if none
 * @param bodyBytes     decoded body length
 * @param bodySha256    SHA-256 of the decoded body, lower-case hex
 * @param body          the decoded body when at most 8 MiB, else null
 * @param chunks        number of non-empty chunks when chunked
 */
public record RecordedRequest(int connection, int sequence, String requestLine, List<String> headerLines,
                              Framing framing, long contentLength, long bodyBytes, String bodySha256, byte[] body,
                              int chunks) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public String method() {
        return requestLine.substring(0, requestLine.indexOf(' '));
    }

    /** The request target byte for byte, e.g. {@code /a%2Fb?x=1}. */
    public String target() {
        int first = requestLine.indexOf(' ');
        int last = requestLine.lastIndexOf(' ');
        return requestLine.substring(first + 1, last);
    }

    /** The path part of the target (before '?'), still encoded. */
    public String path() {
        String t = target();
        int q = t.indexOf('?');
        return q < 0 ? t : t.substring(0, q);
    }

    /** The raw query (after '?'), or null without one. */
    public String query() {
        String t = target();
        int q = t.indexOf('?');
        return q < 0 ? null : t.substring(q + 1);
    }

    /** Values of every line named {@code name} (case-insensitive), one per line, in order. */
    public List<String> headers(String name) {
        return WireIo.values(headerLines, name);
    }

    /** The first value of {@code name}, or null. */
    public String header(String name) {
        return WireIo.first(headerLines, name);
    }

    public boolean hasHeader(String name) {
        return header(name) != null;
    }

    /** Lower-case names of every header line, in order. */
    public List<String> headerNames() {
        List<String> names = new ArrayList<>(headerLines.size());
        for (String line : headerLines) {
            names.add(WireIo.name(line).toLowerCase(Locale.ROOT));
        }
        return names;
    }

    public String bodyText() {
        return body == null ? null : new String(body, StandardCharsets.UTF_8);
    }

    /** What the echo reply sends back: everything above except the body itself. */
    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("connection", connection);
        n.put("sequence", sequence);
        n.put("requestLine", requestLine);
        n.put("method", method());
        n.put("target", target());
        ArrayNode headers = n.putArray("headers");
        for (String line : headerLines) {
            headers.add(line);
        }
        n.put("framing", framing.name());
        n.put("contentLength", contentLength);
        n.put("bodyBytes", bodyBytes);
        n.put("bodySha256", bodySha256);
        n.put("chunks", chunks);
        try {
            return JSON.writeValueAsBytes(n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "#" + connection + "." + sequence + " " + requestLine + " " + headerLines + " " + framing + " "
                + bodyBytes + "B";
    }
}
