package io.concierge.gateway.composition;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * A reference to a value, written {@code ${source.field[0].other}} in configuration: the source is
 * a call's name or one of {@code path} (the endpoint's path parameters), {@code query} (its query
 * parameters, first value), {@code caller} ({@code subject}, {@code consumer}) and {@code each}
 * (the current element of a fan-out). Steps are {@code .name}, {@code [index]} and {@code [*]}
 * (every element of an array, for {@code for-each}). Parsed once at load; evaluation never throws
 * on data it does not find, it yields a missing node and the caller decides what that means.
 */
public final class Expression {
    private final String text;
    private final String source;
    private final List<Object> steps; // String field, Integer index, WILDCARD
    private static final Object WILDCARD = new Object();

    private Expression(String text, String source, List<Object> steps) {
        this.text = text;
        this.source = source;
        this.steps = List.copyOf(steps);
    }

    /**
     * @param text the inside of {@code ${...}}
     * @throws IllegalArgumentException with a message for the config error
     */
    static Expression parse(String text) {
        int i = 0;
        int n = text.length();
        while (i < n && isNameChar(text.charAt(i), i == 0)) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("'${" + text + "}' must start with a call name or path, query, caller, each");
        }
        String source = text.substring(0, i);
        List<Object> steps = new ArrayList<>();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '.') {
                int start = ++i;
                while (i < n && isNameChar(text.charAt(i), false)) {
                    i++;
                }
                if (i == start) {
                    throw new IllegalArgumentException("empty field name in '${" + text + "}'");
                }
                steps.add(text.substring(start, i));
            } else if (c == '[') {
                int close = text.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '[' in '${" + text + "}'");
                }
                String inside = text.substring(i + 1, close);
                if (inside.equals("*")) {
                    steps.add(WILDCARD);
                } else if (inside.matches("\\d{1,6}")) {
                    steps.add(Integer.parseInt(inside));
                } else {
                    throw new IllegalArgumentException("'[" + inside + "]' in '${" + text + "}' must be an index or *");
                }
                i = close + 1;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' in '${" + text + "}'");
            }
        }
        return new Expression(text, source, steps);
    }

    private static boolean isNameChar(char c, boolean first) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || !first && (c >= '0' && c <= '9' || c == '_' || c == '-');
    }

    /** The call name or built-in scope this expression reads. */
    public String source() {
        return source;
    }

    public boolean hasWildcard() {
        return steps.contains(WILDCARD);
    }

    /** The first field step, e.g. {@code subject} of {@code caller.subject}; null when there is none. */
    String firstField() {
        return !steps.isEmpty() && steps.get(0) instanceof String s ? s : null;
    }

    /** The value without wildcards; a missing node when any step finds nothing. */
    JsonNode single(JsonNode root) {
        JsonNode cur = root == null ? MissingNode.getInstance() : root;
        for (Object step : steps) {
            cur = step(cur, step);
        }
        return cur;
    }

    /**
     * Every value a wildcard expression selects, in document order, one entry per array element
     * (missing nodes kept, so positions line up with the array). Without a wildcard, the elements
     * of the array it names.
     *
     * @return null when the part before the (first) wildcard, or the named value, is not an array
     */
    List<JsonNode> all(JsonNode root) {
        List<JsonNode> current = new ArrayList<>();
        current.add(root == null ? MissingNode.getInstance() : root);
        boolean expanded = false;
        for (Object step : steps) {
            List<JsonNode> next = new ArrayList<>(current.size());
            for (JsonNode node : current) {
                if (step == WILDCARD) {
                    if (!node.isArray()) {
                        if (!expanded) {
                            return null;
                        }
                        next.add(MissingNode.getInstance());
                        continue;
                    }
                    node.forEach(next::add);
                } else {
                    next.add(step(node, step));
                }
            }
            if (step == WILDCARD) {
                expanded = true;
            }
            current = next;
        }
        if (!expanded) {
            JsonNode only = current.get(0);
            if (!only.isArray()) {
                return null;
            }
            List<JsonNode> elements = new ArrayList<>(only.size());
            only.forEach(elements::add);
            return elements;
        }
        return current;
    }

    private static JsonNode step(JsonNode node, Object step) {
        JsonNode v = step instanceof String field ? (node.isObject() ? node.get(field) : null)
                : node.isArray() ? node.get((Integer) step) : null;
        return v == null ? MissingNode.getInstance() : v;
    }

    /** A value usable in a URL: a string, number or boolean; null for anything else. */
    static String scalar(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull() || v.isContainerNode()) {
            return null;
        }
        return v.asText();
    }

    @Override
    public String toString() {
        return "${" + text + "}";
    }
}
