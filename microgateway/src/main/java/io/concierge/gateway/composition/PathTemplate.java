package io.concierge.gateway.composition;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A call's request target with {@code ${...}} placeholders, e.g.
 * {@code /api/orders?userId=${caller.subject}&limit=5}. Values are percent-encoded as a whole
 * path segment or query value (everything but unreserved characters), so data from one service
 * can never add a query parameter or a fragment to a call. A value placed as a path segment must
 * be one: an empty value, {@code .}, {@code ..} or one with {@code /} or {@code \} fails the call
 * before it is made (400 when the client chose the value, 502 when another part's data did).
 */
public final class PathTemplate {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final String text;
    private final List<String> literals;      // n + 1 literal parts around n expressions
    private final List<Expression> expressions;
    private final List<Boolean> inQuery;

    private PathTemplate(String text, List<String> literals, List<Expression> expressions, List<Boolean> inQuery) {
        this.text = text;
        this.literals = List.copyOf(literals);
        this.expressions = List.copyOf(expressions);
        this.inQuery = List.copyOf(inQuery);
    }

    /** @throws IllegalArgumentException with a message for the config error */
    static PathTemplate parse(String text) {
        if (!text.startsWith("/") || text.startsWith("//")) {
            throw new IllegalArgumentException("must start with a single '/' (was '" + text + "')");
        }
        List<String> literals = new ArrayList<>();
        List<Expression> expressions = new ArrayList<>();
        List<Boolean> inQuery = new ArrayList<>();
        boolean query = false;
        int i = 0;
        while (true) {
            int open = text.indexOf("${", i);
            String literal = open < 0 ? text.substring(i) : text.substring(i, open);
            checkLiteral(literal, text);
            query |= literal.indexOf('?') >= 0;
            literals.add(literal);
            if (open < 0) {
                break;
            }
            int close = text.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '${' in '" + text + "'");
            }
            Expression e = Expression.parse(text.substring(open + 2, close));
            if (e.hasWildcard()) {
                throw new IllegalArgumentException(e + " selects many values; a path takes one (use for-each)");
            }
            expressions.add(e);
            inQuery.add(query);
            i = close + 1;
        }
        return new PathTemplate(text, literals, expressions, inQuery);
    }

    private static void checkLiteral(String literal, String whole) {
        for (int i = 0; i < literal.length(); i++) {
            char c = literal.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '#' || c == '{' || c == '}' || c == '\\' || c == '"') {
                throw new IllegalArgumentException("character '" + c + "' is not allowed in '" + whole + "'");
            }
        }
    }

    public List<Expression> expressions() {
        return expressions;
    }

    /** The path with every placeholder replaced by {@code sample}, for load-time route checks. */
    public String sample(String sample) {
        StringBuilder sb = new StringBuilder(literals.get(0));
        for (int i = 0; i < expressions.size(); i++) {
            sb.append(sample).append(literals.get(i + 1));
        }
        String s = sb.toString();
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q);
    }

    /**
     * @param resolve the value of each expression (a missing node when there is none)
     * @return the request target
     * @throws PartFailure when a value is missing or not a scalar
     */
    String render(Function<Expression, JsonNode> resolve, String callName) {
        StringBuilder sb = new StringBuilder(text.length() + 16).append(literals.get(0));
        for (int i = 0; i < expressions.size(); i++) {
            Expression e = expressions.get(i);
            String value = Expression.scalar(resolve.apply(e));
            if (value == null && e.source().equals("query")) {
                // The client left out (or garbled) a parameter the endpoint needs: its error, not the mesh's.
                throw new PartFailure(callName, 400, "Bad Request", "the query parameter '" + e.firstField()
                        + "' is required");
            }
            if (value == null) {
                throw new PartFailure(callName, 502, "Bad Gateway", e + " has no usable value for the call '"
                        + callName + "'");
            }
            if (!inQuery.get(i)) {
                String unfit = unfitSegment(value);
                if (unfit != null) {
                    throw fromClient(e)
                            ? new PartFailure(callName, 400, "Bad Request", e + " " + unfit
                                    + "; the call '" + callName + "' needs it as one path segment")
                            : new PartFailure(callName, 502, "Bad Gateway", e + " " + unfit + "; the call '"
                                    + callName + "' needs a path segment");
                }
            }
            encode(sb, value);
            sb.append(literals.get(i + 1));
        }
        return sb.toString();
    }

    /**
     * Why a value cannot be one path segment, or null. Encoded, {@code /} and {@code \} would be
     * {@code %2F} and {@code %5C}, and {@code .} or {@code ..} stay as they are: the receiving
     * gateway refuses all of them (400), so they are refused here, before any call is made.
     */
    private static String unfitSegment(String value) {
        if (value.isEmpty()) {
            return "is empty";
        }
        if (value.equals(".") || value.equals("..")) {
            return "is '" + value + "'";
        }
        if (value.indexOf('/') >= 0 || value.indexOf('\\') >= 0) {
            return "contains '/' or '\\'";
        }
        return null;
    }

    /** Values the client chose: refusing them is the client's error (400), not the mesh's. */
    private static boolean fromClient(Expression e) {
        return switch (e.source()) {
            case "path", "query", "caller" -> true;
            default -> false;
        };
    }

    static void encode(StringBuilder sb, String value) {
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '~' || c == '.') {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
