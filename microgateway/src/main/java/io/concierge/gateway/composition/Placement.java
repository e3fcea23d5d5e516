package io.concierge.gateway.composition;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a call's result goes in the response document ({@code at}): {@code .} merges an object's
 * fields into the top level; {@code a.b} puts the result at that field (objects created on the
 * way); {@code items[*].product} puts the i-th result of a fan-out into the i-th element of the
 * {@code items} array already in the document.
 */
final class Placement {
    private final String text;
    private final List<String> prefix;  // fields down to the value or to the array
    private final List<String> suffix;  // fields inside each array element, or null without [*]

    private Placement(String text, List<String> prefix, List<String> suffix) {
        this.text = text;
        this.prefix = prefix;
        this.suffix = suffix;
    }

    /** @throws IllegalArgumentException with a message for the config error */
    static Placement parse(String text) {
        if (text.equals(".")) {
            return new Placement(text, List.of(), null);
        }
        int star = text.indexOf("[*]");
        if (star >= 0) {
            if (text.indexOf("[*]", star + 3) >= 0) {
                throw new IllegalArgumentException("at most one [*] (was '" + text + "')");
            }
            String rest = text.substring(star + 3);
            if (!rest.startsWith(".")) {
                throw new IllegalArgumentException("[*] must be followed by .field (was '" + text + "')");
            }
            return new Placement(text, fields(text.substring(0, star), text), fields(rest.substring(1), text));
        }
        return new Placement(text, fields(text, text), null);
    }

    private static List<String> fields(String dotted, String whole) {
        String[] parts = dotted.split("\\.", -1);
        for (String p : parts) {
            if (!p.matches("[A-Za-z_][A-Za-z0-9_-]{0,63}")) {
                throw new IllegalArgumentException("'" + whole + "' is not '.', a field path like a.b, or items[*].field");
            }
        }
        return List.of(parts);
    }

    boolean isRoot() {
        return prefix.isEmpty();
    }

    boolean perElement() {
        return suffix != null;
    }

    /** Places one value (a whole result, or a fan-out's results as one array). */
    void place(ObjectNode doc, JsonNode value, String call) {
        if (isRoot()) {
            if (value == null || value.isNull()) {
                return;
            }
            if (!value.isObject()) {
                throw new PartFailure(call, 502, "Bad Gateway", "the call '" + call
                        + "' did not answer a JSON object, which placement '.' needs");
            }
            doc.setAll((ObjectNode) value);
            return;
        }
        ObjectNode parent = walk(doc, prefix.subList(0, prefix.size() - 1), call);
        parent.set(prefix.get(prefix.size() - 1), value);
    }

    /** Places the i-th result of a fan-out into the i-th element of the array at the prefix. */
    void placeEach(ObjectNode doc, List<JsonNode> values, String call) {
        ObjectNode parent = walk(doc, prefix.subList(0, prefix.size() - 1), call);
        JsonNode array = parent.get(prefix.get(prefix.size() - 1));
        if (!(array instanceof ArrayNode a) || a.size() != values.size()) {
            throw new PartFailure(call, 502, "Bad Gateway", "cannot place the results of '" + call + "' at '" + text
                    + "': the document has no array of " + values.size() + " elements there");
        }
        for (int i = 0; i < values.size(); i++) {
            if (!(a.get(i) instanceof ObjectNode element)) {
                throw new PartFailure(call, 502, "Bad Gateway", "cannot place the results of '" + call + "' at '"
                        + text + "': element " + i + " is not an object");
            }
            walk(element, suffix.subList(0, suffix.size() - 1), call).set(suffix.get(suffix.size() - 1), values.get(i));
        }
    }

    private ObjectNode walk(ObjectNode from, List<String> fields, String call) {
        ObjectNode cur = from;
        for (String f : fields) {
            JsonNode next = cur.get(f);
            if (next == null || next.isNull()) {
                cur = cur.putObject(f);
            } else if (next instanceof ObjectNode o) {
                cur = o;
            } else {
                throw new PartFailure(call, 502, "Bad Gateway", "cannot place '" + call + "' at '" + text + "': '" + f
                        + "' is not an object");
            }
        }
        return cur;
    }

    @Override
    public String toString() {
        return text;
    }
}
