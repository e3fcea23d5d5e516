package io.concierge.gateway.transform;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A place in a JSON document, written as a JSON Pointer (RFC 6901: {@code /price/amount},
 * {@code ~1} for a {@code /} and {@code ~0} for a {@code ~} inside a name, a number indexes an
 * array), except that {@code /} alone is the whole document: an empty field name cannot be
 * addressed, which no API of ours needs and which keeps the common case ({@code each: /}) readable.
 * Parsed once at load; reads and writes allocate only what they create.
 */
public final class FieldPath {
    private static final FieldPath ROOT = new FieldPath("/", new String[0]);

    private final String text;
    private final String[] tokens;

    private FieldPath(String text, String[] tokens) {
        this.text = text;
        this.tokens = tokens;
    }

    /** @throws IllegalArgumentException naming what is wrong, for the config error */
    public static FieldPath parse(String text) {
        if (text == null || !text.startsWith("/")) {
            throw new IllegalArgumentException("'" + text + "' is not a path: a path starts with '/' (e.g. /price/amount)");
        }
        if (text.equals("/")) {
            return ROOT;
        }
        List<String> tokens = new ArrayList<>();
        StringBuilder t = new StringBuilder();
        for (int i = 1; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '/';
            if (c == '/') {
                if (t.isEmpty()) {
                    throw new IllegalArgumentException("'" + text + "' has an empty field name");
                }
                tokens.add(t.toString());
                t.setLength(0);
            } else if (c == '~') {
                char n = i + 1 < text.length() ? text.charAt(i + 1) : ' ';
                if (n != '0' && n != '1') {
                    throw new IllegalArgumentException("'" + text + "': '~' must be followed by 0 (for ~) or 1 (for /)");
                }
                t.append(n == '0' ? '~' : '/');
                i++;
            } else {
                t.append(c);
            }
        }
        return new FieldPath(text, tokens.toArray(String[]::new));
    }

    public boolean isRoot() {
        return tokens.length == 0;
    }

    /** The field name this path ends in (not for the root). */
    String last() {
        return tokens[tokens.length - 1];
    }

    /** Whether {@code other} is this path or lies inside it. */
    boolean contains(FieldPath other) {
        if (other.tokens.length < tokens.length) {
            return false;
        }
        for (int i = 0; i < tokens.length; i++) {
            if (!tokens[i].equals(other.tokens[i])) {
                return false;
            }
        }
        return true;
    }

    /** The value here, or null when the document has none. */
    public JsonNode get(JsonNode doc) {
        JsonNode n = doc;
        for (int i = 0; i < tokens.length && n != null; i++) {
            n = child(n, tokens[i]);
        }
        return n;
    }

    /** Removes and returns the value here, or null when there is none (the root cannot be removed). */
    JsonNode remove(JsonNode doc) {
        JsonNode parent = parent(doc, false);
        if (parent instanceof ObjectNode o) {
            return o.remove(last());
        }
        if (parent instanceof ArrayNode a) {
            int i = index(last());
            return i >= 0 && i < a.size() ? a.remove(i) : null;
        }
        return null;
    }

    /**
     * Puts {@code value} here, creating missing objects on the way; returns false (and changes
     * nothing) when a value on the way is not an object, or an array index is out of range.
     */
    boolean put(JsonNode doc, JsonNode value) {
        JsonNode parent = parent(doc, true);
        if (parent instanceof ObjectNode o) {
            o.set(last(), value);
            return true;
        }
        if (parent instanceof ArrayNode a) {
            int i = index(last());
            if (i >= 0 && i < a.size()) {
                a.set(i, value);
                return true;
            }
        }
        return false;
    }

    /** Renames the field here to {@code name}, keeping its place among its siblings. */
    boolean rename(JsonNode doc, String name) {
        if (!(parent(doc, false) instanceof ObjectNode o) || !o.has(last()) || o.has(name)) {
            return false;
        }
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            fields.put(e.getKey().equals(last()) ? name : e.getKey(), e.getValue());
        }
        o.removeAll();
        o.setAll(fields);
        return true;
    }

    private JsonNode parent(JsonNode doc, boolean create) {
        JsonNode n = doc;
        for (int i = 0; i < tokens.length - 1 && n != null; i++) {
            JsonNode c = child(n, tokens[i]);
            if (c == null && create && n instanceof ObjectNode o) {
                c = o.putObject(tokens[i]);
            }
            n = c;
        }
        return n;
    }

    private static JsonNode child(JsonNode n, String token) {
        if (n instanceof ObjectNode o) {
            return o.get(token);
        }
        if (n instanceof ArrayNode a) {
            int i = index(token);
            return i >= 0 ? a.get(i) : null;
        }
        return null;
    }

    /** The array index a token names, or -1 (no regex: a short loop over the digits). */
    private static int index(String token) {
        if (token.isEmpty() || token.length() > 9) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    @Override
    public String toString() {
        return text;
    }
}
