package io.concierge.gateway.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A response as {@link WireClient} read it off the wire.
 *
 * @param statusLine  e.g. {@code HTTP/1.1 200 OK}
 * @param status      the code
 * @param headerLines raw header lines in order, without CRLF
 * @param framing     how the body was delimited
 * @param bodyLength  decoded body length
 * @param bodySha256  SHA-256 of the decoded body, lower-case hex
 * @param body        the decoded body when at most 8 MiB, else null
 */
public record WireResponse(String statusLine, int status, List<String> headerLines, Framing framing,
                           long bodyLength, String bodySha256, byte[] body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public List<String> headers(String name) {
        return WireIo.values(headerLines, name);
    }

    public String header(String name) {
        return WireIo.first(headerLines, name);
    }

    public String bodyText() {
        return body == null ? null : new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("body is not JSON: " + bodyText(), e);
        }
    }

    @Override
    public String toString() {
        return statusLine + " " + headerLines + " " + framing + " " + bodyLength + "B"
                + (body != null && body.length < 2000 ? " " + bodyText() : "");
    }
}
