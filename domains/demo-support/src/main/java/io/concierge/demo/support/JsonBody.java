package io.concierge.demo.support;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.helidon.webserver.http.ServerRequest;

/**
 * A request body that must be a JSON object, with typed accessors that reject bad input with a
 * 400 problem naming the offending field (by its path, e.g. {@code items[1].quantity}).
 * Values are never echoed back, so a password sent in the wrong field does not leak.
 */
public final class JsonBody {
    /** Identifiers and other short tokens: letters, digits, '-', '_' and '.'. */
    public static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** {@link #TOKEN} in words, for error details. */
    public static final String TOKEN_SHAPE = "1 to 64 letters, digits, '.', '-' or '_'";

    /*
     * Duplicate keys are rejected because a gateway that checks the first "userId" while the
     * service uses the last would be an authorisation bypass; trailing tokens because
     * '{"a":1} junk' is not a JSON document. Big decimals keep 1e400 from becoming an infinite
     * double that BigDecimal cannot represent.
     */
    private static final ObjectReader READER = JsonResponses.MAPPER.reader()
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final JsonNode node;
    private final String path;

    private JsonBody(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** Reads the whole request body (bounded by the server's payload limit) as a JSON object. */
    public static JsonBody read(ServerRequest req) {
        if (!req.content().hasEntity()) {
            throw ProblemException.badRequest("A JSON object body is required");
        }
        return parse(req.content().as(byte[].class));
    }

    static JsonBody parse(byte[] bytes) {
        JsonNode node;
        try {
            node = READER.readTree(bytes);
        } catch (IOException e) {
            // Jackson's message quotes the input, so it is not passed on.
            throw ProblemException.badRequest("The request body is not well-formed JSON");
        }
        if (node == null || !node.isObject()) {
            throw ProblemException.badRequest("The request body must be a JSON object");
        }
        return new JsonBody(node, "");
    }

    /** A required, non-blank string of at most {@code maxLength} characters. */
    public String text(String field, int maxLength) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            throw invalid(field, "is required and must be a non-empty string");
        }
        if (value.textValue().length() > maxLength) {
            throw invalid(field, "must be at most " + maxLength + " characters");
        }
        return value.textValue();
    }

    /** A required string matching {@code pattern}; {@code shape} describes it for the client. */
    public String text(String field, Pattern pattern, String shape) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw invalid(field, "is required and must be a string");
        }
        if (!pattern.matcher(value.textValue()).matches()) {
            throw invalid(field, "must be " + shape);
        }
        return value.textValue();
    }

    /** A required identifier matching {@link #TOKEN}. */
    public String token(String field) {
        return text(field, TOKEN, TOKEN_SHAPE);
    }

    /** A required whole number from {@code min} to {@code max}; 2.0 counts, 2.5 and "2" do not. */
    public int integer(String field, int min, int max) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber() || !isWhole(value)) {
            throw invalid(field, "is required and must be an integer");
        }
        BigDecimal number = value.decimalValue();
        if (number.compareTo(BigDecimal.valueOf(min)) < 0 || number.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw invalid(field, "must be from " + min + " to " + max);
        }
        return number.intValueExact();
    }

    /**
     * A required number greater than zero and at most {@code max}, with at most {@code maxScale}
     * decimal places (money: 2).
     */
    public BigDecimal positiveDecimal(String field, BigDecimal max, int maxScale) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw invalid(field, "is required and must be a number");
        }
        BigDecimal number = value.decimalValue().stripTrailingZeros();
        if (number.signum() <= 0 || number.compareTo(max) > 0) {
            throw invalid(field, "must be greater than 0 and at most " + max.toPlainString());
        }
        if (number.scale() > maxScale) {
            throw invalid(field, "must have at most " + maxScale + " decimal places");
        }
        return number;
    }

    /** A required, non-empty array of at most {@code maxSize} JSON objects. */
    public List<JsonBody> objects(String field, int maxSize) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray() || value.isEmpty()) {
            throw invalid(field, "is required and must be a non-empty array");
        }
        if (value.size() > maxSize) {
            throw invalid(field, "must have at most " + maxSize + " entries");
        }
        List<JsonBody> result = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            String elementPath = pathOf(field) + "[" + i + "]";
            if (!value.get(i).isObject()) {
                throw ProblemException.badRequest("'" + elementPath + "' must be a JSON object");
            }
            result.add(new JsonBody(value.get(i), elementPath));
        }
        return result;
    }

    private static boolean isWhole(JsonNode value) {
        if (value.isIntegralNumber()) {
            return true;
        }
        BigDecimal decimal = value.decimalValue();
        return decimal.signum() == 0 || decimal.stripTrailingZeros().scale() <= 0;
    }

    /** A 400 problem about {@code field} of this object, e.g. for checks beyond its shape. */
    public ProblemException invalid(String field, String reason) {
        return ProblemException.badRequest("'" + pathOf(field) + "' " + reason);
    }

    private String pathOf(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
