package io.concierge.gateway.grpc;

import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;

/**
 * A request field that an HTTP value fills: a dotted path of singular message fields ending in a
 * scalar or enum field, which may be repeated (filled from repeated query parameters). Resolved
 * against the descriptor at load.
 *
 * @param fields the path from the request message to the leaf, at least one
 */
record FieldPath(String name, List<FieldDescriptor> fields) {

    /**
     * @throws IllegalArgumentException naming the part of the path that is wrong
     */
    static FieldPath resolve(Descriptor message, String dotted) {
        List<FieldDescriptor> fields = new ArrayList<>();
        Descriptor current = message;
        String[] parts = dotted.split("\\.", -1);
        for (int i = 0; i < parts.length; i++) {
            FieldDescriptor f = field(current, parts[i]);
            if (f == null) {
                throw new IllegalArgumentException("unknown field '" + parts[i] + "' in " + current.getFullName()
                        + " (fields: " + current.getFields().stream().map(FieldDescriptor::getName).toList() + ")");
            }
            fields.add(f);
            boolean last = i == parts.length - 1;
            if (!last) {
                if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE || f.isRepeated()) {
                    throw new IllegalArgumentException("'" + parts[i] + "' in '" + dotted
                            + "' is not a singular message field");
                }
                current = f.getMessageType();
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                throw new IllegalArgumentException("'" + dotted + "' is a message field; map a scalar field inside it");
            }
        }
        return new FieldPath(dotted, List.copyOf(fields));
    }

    /** By .proto name or JSON name (lowerCamelCase), as the protobuf JSON mapping accepts both. */
    static FieldDescriptor field(Descriptor message, String name) {
        FieldDescriptor f = message.findFieldByName(name);
        if (f != null) {
            return f;
        }
        for (FieldDescriptor candidate : message.getFields()) {
            if (candidate.getJsonName().equals(name)) {
                return candidate;
            }
        }
        return null;
    }

    FieldDescriptor leaf() {
        return fields.get(fields.size() - 1);
    }
}
