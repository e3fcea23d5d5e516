package io.concierge.gateway.transform;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One operation on a JSON response body, as written under {@code response.body} (docs/transformation.md).
 * Operations run in the order written; each takes the document and returns it (changed in place, or
 * a new one). A path the document does not have is left alone: an operation never fails at run time.
 */
public sealed interface BodyOp {

    JsonNode apply(JsonNode doc);

    /** {@code select: [paths]}: keeps only these fields of an object (an allow list), nested ones in place. */
    record Select(List<FieldPath> paths) implements BodyOp {
        @Override
        public JsonNode apply(JsonNode doc) {
            if (!doc.isObject()) {
                return doc;
            }
            ObjectNode kept = JsonNodeFactory.instance.objectNode();
            for (FieldPath p : paths) {
                JsonNode v = p.get(doc);
                if (v != null) {
                    p.put(kept, v);
                }
            }
            return kept;
        }
    }

    /** {@code remove: [paths]}. */
    record Remove(List<FieldPath> paths) implements BodyOp {
        @Override
        public JsonNode apply(JsonNode doc) {
            for (FieldPath p : paths) {
                p.remove(doc);
            }
            return doc;
        }
    }

    /** {@code rename: {path: new-name}}: the field keeps its place; a name already taken is left alone. */
    record Rename(Map<FieldPath, String> names) implements BodyOp {
        @Override
        public JsonNode apply(JsonNode doc) {
            names.forEach((p, name) -> p.rename(doc, name));
            return doc;
        }
    }

    /** {@code move: {from: to}}: {@code /price: /price/amount} nests a value under its own name. */
    record Move(Map<FieldPath, FieldPath> moves) implements BodyOp {
        @Override
        public JsonNode apply(JsonNode doc) {
            moves.forEach((from, to) -> {
                JsonNode v = from.remove(doc);
                if (v != null && !to.put(doc, v)) {
                    from.put(doc, v); // nowhere to go: put it back rather than lose it
                }
            });
            return doc;
        }
    }

    /** {@code add: {path: constant}}: puts the constant there, replacing what was there. */
    record Add(Map<FieldPath, JsonNode> values) implements BodyOp {
        @Override
        public JsonNode apply(JsonNode doc) {
            // A copy per document: later operations may change it, and the constant is shared by all requests.
            values.forEach((p, v) -> p.put(doc, v.deepCopy()));
            return doc;
        }
    }

    /**
     * {@code map: {at: path, values: {from: to}, default: value}}: replaces a scalar by the value its
     * text maps to ({@code true}, {@code 1} and {@code "x"} are looked up as {@code true}, {@code 1}, {@code x}).
     *
     * @param fallback the value for a scalar not in {@code values}, or null to leave it
     */
    record MapValues(FieldPath at, Map<String, JsonNode> values, JsonNode fallback) implements BodyOp {
        @Override
        public JsonNode apply(JsonNode doc) {
            JsonNode v = at.get(doc);
            if (v == null || !v.isValueNode()) {
                return doc;
            }
            JsonNode to = values.get(v.isNull() ? "null" : v.asText());
            if (to == null) {
                to = fallback;
            }
            if (to != null) {
                at.put(doc, to.deepCopy());
            }
            return doc;
        }
    }

    /** {@code each: path, do: [operations]}: runs the operations on every element of the array there. */
    record Each(FieldPath at, List<BodyOp> ops) implements BodyOp {
        @Override
        public JsonNode apply(JsonNode doc) {
            JsonNode arr = at.get(doc);
            if (arr == null || !arr.isArray()) {
                return doc;
            }
            com.fasterxml.jackson.databind.node.ArrayNode a = (com.fasterxml.jackson.databind.node.ArrayNode) arr;
            for (int i = 0; i < a.size(); i++) {
                a.set(i, applyAll(ops, a.get(i)));
            }
            return doc;
        }
    }

    /** {@code limit: {path: n}}: keeps the first n elements of the array there. */
    record Limit(Map<FieldPath, Integer> limits) implements BodyOp {
        @Override
        public JsonNode apply(JsonNode doc) {
            limits.forEach((p, n) -> {
                if (p.get(doc) instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
                    while (a.size() > n) {
                        a.remove(a.size() - 1);
                    }
                }
            });
            return doc;
        }
    }

    /**
     * {@code count: {from: to}}: puts the number of elements of the array at {@code from} at {@code to};
     * null when the value there is not an array, nothing when there is no value (an absent part stays absent).
     */
    record Count(Map<FieldPath, FieldPath> counts) implements BodyOp {
        @Override
        public JsonNode apply(JsonNode doc) {
            counts.forEach((from, to) -> {
                JsonNode v = from.get(doc);
                if (v == null) {
                    return;
                }
                to.put(doc, v.isArray() ? JsonNodeFactory.instance.numberNode(v.size())
                        : JsonNodeFactory.instance.nullNode());
            });
            return doc;
        }
    }

    /**
     * {@code average: {of: /reviews, value: /rating, to: /rating, decimals: 1}}: the mean of the
     * numbers at {@code value} in the elements of the array at {@code of}, rounded half up; null when
     * there are none.
     */
    record Average(FieldPath of, FieldPath value, FieldPath to, int decimals) implements BodyOp {
        @Override
        public JsonNode apply(JsonNode doc) {
            JsonNode arr = of.get(doc);
            java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
            int n = 0;
            if (arr != null && arr.isArray()) {
                for (JsonNode e : arr) {
                    JsonNode v = value.isRoot() ? e : value.get(e);
                    if (v != null && v.isNumber()) {
                        sum = sum.add(v.decimalValue());
                        n++;
                    }
                }
            }
            to.put(doc, n == 0 ? JsonNodeFactory.instance.nullNode() : JsonNodeFactory.instance.numberNode(
                    sum.divide(java.math.BigDecimal.valueOf(n), decimals, java.math.RoundingMode.HALF_UP).doubleValue()));
            return doc;
        }
    }

    static JsonNode applyAll(List<BodyOp> ops, JsonNode doc) {
        JsonNode d = doc;
        for (BodyOp op : ops) {
            d = op.apply(d);
        }
        return d;
    }
}
