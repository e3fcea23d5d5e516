package io.concierge.gateway.transform;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Parses, transforms and writes one JSON body. Hostile bodies are bounded before this runs (the
 * size limit) and here: nesting deeper than {@value #MAX_DEPTH} levels is refused by Jackson's
 * {@link StreamReadConstraints} while parsing, so neither the parser nor the operations recurse
 * without bound; anything that is not exactly one JSON value (trailing bytes included) is "not JSON".
 */
final class JsonBodies {
    /** Far deeper than any API document, far shallower than a stack. */
    static final int MAX_DEPTH = 128;
    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Numbers leave as they came: 19.90 stays 19.90, a long id stays exact.
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private JsonBodies() {
    }

    /**
     * @param path the request path the envelope names, or null for no envelope
     * @return the transformed body, or null when {@code body} is not valid JSON (it then passes untouched)
     */
    static byte[] transform(byte[] body, int length, List<BodyOp> ops, int status, String path) {
        JsonNode doc;
        try {
            doc = MAPPER.readTree(body, 0, length);
        } catch (IOException | RuntimeException e) {
            return null; // not JSON, or nested too deep
        }
        if (doc == null || doc.isMissingNode()) {
            return null;
        }
        doc = BodyOp.applyAll(ops, doc);
        if (path != null) {
            ObjectNode envelope = MAPPER.createObjectNode();
            envelope.put("status", status);
            envelope.set("data", doc);
            envelope.put("timestamp", Instant.now().toString());
            envelope.put("path", path);
            doc = envelope;
        }
        try {
            return MAPPER.writeValueAsBytes(doc);
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether a Content-Type names JSON ({@code application/json}, {@code application/*+json}) other than a problem. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int end = contentType.indexOf(';');
        if (end < 0) {
            end = contentType.length();
        }
        while (end > 0 && contentType.charAt(end - 1) == ' ') {
            end--;
        }
        if (end == 16 && contentType.regionMatches(true, 0, "application/json", 0, 16)) {
            return true;
        }
        return end > 17 && contentType.regionMatches(true, 0, "application/", 0, 12)
                && contentType.regionMatches(true, end - 5, "+json", 0, 5)
                && !(end == 24 && contentType.regionMatches(true, 0, "application/problem+json", 0, 24));
    }
}
