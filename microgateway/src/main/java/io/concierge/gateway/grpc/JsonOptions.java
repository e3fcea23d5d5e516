package io.concierge.gateway.grpc;

import io.concierge.gateway.config.ConfigNode;

/**
 * How a route's response message is written as JSON (the protobuf JSON mapping, docs/grpc.md).
 *
 * @param enumsAsNumbers  {@code enums: numbers} (default {@code names})
 * @param int64AsNumbers  {@code int64: numbers} (default {@code strings}, as the protobuf mapping does,
 *                        because JavaScript loses precision above 2^53)
 * @param emitDefaults    {@code emit-defaults: true} writes fields with their default value (0, "",
 *                        false, []) too (default false)
 * @param protoNames      {@code field-names: proto} keeps the .proto names (default {@code json}: lowerCamelCase)
 */
public record JsonOptions(boolean enumsAsNumbers, boolean int64AsNumbers, boolean emitDefaults, boolean protoNames) {
    public static final JsonOptions DEFAULT = new JsonOptions(false, false, false, false);

    static JsonOptions read(ConfigNode node) {
        boolean enums = choice(node, "enums", "names", "numbers");
        boolean int64 = choice(node, "int64", "strings", "numbers");
        boolean defaults = node.bool("emit-defaults", false);
        boolean proto = choice(node, "field-names", "json", "proto");
        node.rejectUnknownKeys();
        return new JsonOptions(enums, int64, defaults, proto);
    }

    /** True for the second of the two allowed values. */
    private static boolean choice(ConfigNode node, String key, String first, String second) {
        String v = node.string(key, first);
        if (v.equals(first)) {
            return false;
        }
        if (v.equals(second)) {
            return true;
        }
        throw node.error(key, "must be " + first + " or " + second + " (was '" + v + "')");
    }
}
