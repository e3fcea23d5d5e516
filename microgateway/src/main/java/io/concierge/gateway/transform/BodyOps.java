package io.concierge.gateway.transform;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.ConfigNode;

/**
 * Reads a list of body operations ({@code response.body}); every mistake is a load error naming
 * the file and the YAML path of the operation or path that is wrong.
 */
final class BodyOps {
    /** {@code each} inside {@code each}: deep enough for any real document, and bounded. */
    private static final int MAX_NESTING = 8;
    private static final List<String> OPS = List.of("select", "remove", "rename", "move", "add", "map", "each", "limit",
            "count", "average");

    private BodyOps() {
    }

    static List<BodyOp> read(ConfigNode parent, String key) {
        return read(parent, key, 0);
    }

    private static List<BodyOp> read(ConfigNode parent, String key, int depth) {
        List<BodyOp> ops = new ArrayList<>();
        for (ConfigNode n : parent.objectList(key)) {
            ops.add(readOne(n, depth));
        }
        return List.copyOf(ops);
    }

    private static BodyOp readOne(ConfigNode n, int depth) {
        String op = null;
        for (String name : OPS) {
            if (n.has(name)) {
                if (op != null) {
                    throw n.error("one operation per list item (found '" + op + "' and '" + name + "')");
                }
                op = name;
            }
        }
        if (op == null) {
            n.rejectUnknownKeys(); // names the unknown operation
            throw n.error("an operation needs one of " + String.join(", ", OPS));
        }
        BodyOp result = switch (op) {
            case "select" -> new BodyOp.Select(paths(n, "select", false));
            case "remove" -> new BodyOp.Remove(paths(n, "remove", false));
            case "rename" -> new BodyOp.Rename(renames(n));
            case "move" -> new BodyOp.Move(moves(n));
            case "add" -> new BodyOp.Add(constants(n));
            case "map" -> mapValues(n.object("map"));
            case "limit" -> new BodyOp.Limit(limits(n));
            case "count" -> new BodyOp.Count(counts(n));
            case "average" -> average(n.object("average"));
            default -> each(n, depth);
        };
        n.rejectUnknownKeys();
        return result;
    }

    private static List<FieldPath> paths(ConfigNode n, String key, boolean rootAllowed) {
        List<String> texts = n.stringList(key);
        if (texts.isEmpty()) {
            throw n.error(key, "needs at least one path");
        }
        List<FieldPath> paths = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            paths.add(path(n.file(), n.child(key) + "[" + i + "]", texts.get(i), rootAllowed));
        }
        return List.copyOf(paths);
    }

    private static Map<FieldPath, String> renames(ConfigNode n) {
        Map<FieldPath, String> result = new LinkedHashMap<>();
        n.stringMap("rename").forEach((from, name) -> {
            String at = n.child("rename") + "." + from;
            if (name.isEmpty() || name.indexOf('/') >= 0) {
                throw new ConfigException(n.file(), at, "the new name must be a plain field name, not a path (was '"
                        + name + "'; use move to change the place)");
            }
            result.put(path(n.file(), at, from, false), name);
        });
        requireSome(n, "rename", result);
        return result;
    }

    private static Map<FieldPath, FieldPath> moves(ConfigNode n) {
        Map<FieldPath, FieldPath> result = new LinkedHashMap<>();
        n.stringMap("move").forEach((from, to) -> {
            String at = n.child("move") + "." + from;
            result.put(path(n.file(), at, from, false), path(n.file(), at, to, false));
        });
        requireSome(n, "move", result);
        return result;
    }

    private static Map<FieldPath, JsonNode> constants(ConfigNode n) {
        JsonNode v = n.value("add");
        if (v == null || !v.isObject()) {
            throw n.error("add", "expected a mapping of path to value, e.g. {/currency: EUR}");
        }
        Map<FieldPath, JsonNode> result = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            result.put(path(n.file(), n.child("add") + "." + e.getKey(), e.getKey(), false), e.getValue());
        }
        requireSome(n, "add", result);
        return result;
    }

    private static BodyOp mapValues(ConfigNode m) {
        FieldPath at = path(m.file(), m.child("at"), m.requiredString("at"), false);
        JsonNode values = m.value("values");
        if (values == null || !values.isObject() || values.isEmpty()) {
            throw m.error("values", "expected a mapping of value to value, e.g. {true: in_stock}");
        }
        Map<String, JsonNode> table = new LinkedHashMap<>();
        values.fields().forEachRemaining(e -> table.put(e.getKey(), e.getValue()));
        JsonNode fallback = m.value("default");
        m.rejectUnknownKeys();
        return new BodyOp.MapValues(at, Map.copyOf(table), fallback);
    }

    private static Map<FieldPath, Integer> limits(ConfigNode n) {
        Map<FieldPath, Integer> result = new LinkedHashMap<>();
        n.stringMap("limit").forEach((path, max) -> {
            String at = n.child("limit") + "." + path;
            int value;
            try {
                value = Integer.parseInt(max);
            } catch (NumberFormatException e) {
                value = -1;
            }
            if (value < 0 || value > 100_000) {
                throw new ConfigException(n.file(), at, "expected a number of elements from 0 to 100000 (was '" + max + "')");
            }
            result.put(path(n.file(), at, path, true), value);
        });
        requireSome(n, "limit", result);
        return result;
    }

    private static Map<FieldPath, FieldPath> counts(ConfigNode n) {
        Map<FieldPath, FieldPath> result = new LinkedHashMap<>();
        n.stringMap("count").forEach((from, to) -> {
            String at = n.child("count") + "." + from;
            result.put(path(n.file(), at, from, false), path(n.file(), at, to, false));
        });
        requireSome(n, "count", result);
        return result;
    }

    private static BodyOp average(ConfigNode a) {
        FieldPath of = path(a.file(), a.child("of"), a.requiredString("of"), true);
        FieldPath value = path(a.file(), a.child("value"), a.string("value", "/"), true);
        FieldPath to = path(a.file(), a.child("to"), a.requiredString("to"), false);
        int decimals = a.integer("decimals", 2, 0, 10);
        a.rejectUnknownKeys();
        return new BodyOp.Average(of, value, to, decimals);
    }

    private static BodyOp each(ConfigNode n, int depth) {
        if (depth >= MAX_NESTING) {
            throw n.error("each", "'each' nested more than " + MAX_NESTING + " deep");
        }
        FieldPath at = path(n.file(), n.child("each"), n.requiredString("each"), true);
        List<BodyOp> ops = read(n, "do", depth + 1);
        if (ops.isEmpty()) {
            throw n.error("do", "'each' needs the operations to run on every element under 'do'");
        }
        return new BodyOp.Each(at, ops);
    }

    private static FieldPath path(String file, String yamlPath, String text, boolean rootAllowed) {
        FieldPath p;
        try {
            p = FieldPath.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file, yamlPath, e.getMessage());
        }
        if (p.isRoot() && !rootAllowed) {
            throw new ConfigException(file, yamlPath, "'/' (the whole document) cannot be used here; name a field");
        }
        return p;
    }

    private static void requireSome(ConfigNode n, String key, Map<?, ?> entries) {
        if (entries.isEmpty()) {
            throw n.error(key, "needs at least one entry");
        }
    }
}
