package io.concierge.gateway.grpc;

import java.math.BigInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

/** Writes a response message as JSON with the protobuf JSON mapping and the route's {@link JsonOptions}. */
final class ResponseJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonFormat.Printer printer;
    private final boolean int64AsNumbers;
    private final boolean protoNames;

    ResponseJson(JsonOptions options) {
        JsonFormat.Printer p = JsonFormat.printer().omittingInsignificantWhitespace();
        if (options.enumsAsNumbers()) {
            p = p.printingEnumsAsInts();
        }
        if (options.emitDefaults()) {
            p = p.alwaysPrintFieldsWithNoPresence();
        }
        if (options.protoNames()) {
            p = p.preservingProtoFieldNames();
        }
        this.printer = p;
        this.int64AsNumbers = options.int64AsNumbers();
        this.protoNames = options.protoNames();
    }

    String write(Message message) throws InvalidProtocolBufferException {
        String text = printer.print(message);
        if (!int64AsNumbers) {
            return text;
        }
        // The protobuf mapping writes 64-bit integers as strings; an API that promised numbers gets
        // them rewritten here, only when configured (it costs a parse of the document).
        try {
            JsonNode tree = JSON.readTree(text);
            numbers(tree, message.getDescriptorForType());
            return JSON.writeValueAsString(tree);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void numbers(JsonNode node, Descriptor type) {
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        for (FieldDescriptor f : type.getFields()) {
            String name = protoNames ? f.getName() : f.getJsonName();
            JsonNode value = object.get(name);
            if (value == null) {
                continue;
            }
            if (f.isMapField()) {
                FieldDescriptor mapValue = f.getMessageType().findFieldByName("value");
                value.properties().forEach(e -> {
                    if (is64(mapValue) && e.getValue().isTextual()) {
                        ((ObjectNode) value).put(e.getKey(), new BigInteger(e.getValue().asText()));
                    } else if (mapValue.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                        numbers(e.getValue(), mapValue.getMessageType());
                    }
                });
            } else if (is64(f)) {
                if (value instanceof ArrayNode array) {
                    for (int i = 0; i < array.size(); i++) {
                        if (array.get(i).isTextual()) {
                            array.set(i, JSON.getNodeFactory().numberNode(new BigInteger(array.get(i).asText())));
                        }
                    }
                } else if (value.isTextual()) {
                    object.put(name, new BigInteger(value.asText()));
                }
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (value instanceof ArrayNode array) {
                    array.forEach(e -> numbers(e, f.getMessageType()));
                } else {
                    numbers(value, f.getMessageType());
                }
            }
        }
    }

    private static boolean is64(FieldDescriptor f) {
        return f.getJavaType() == FieldDescriptor.JavaType.LONG;
    }
}
