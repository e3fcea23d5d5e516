package io.concierge.gateway.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

import io.helidon.common.uri.UriQuery;

/**
 * Builds a route's request message from the HTTP request: the JSON body (when mapped), then query
 * parameters, then path parameters, so a query value wins over the body and a path value over both
 * (the route matched on the path, so the path's value is the one the client addressed).
 */
final class RequestMessage {
    /** gRPC's default maximum message size; a larger body could not be sent anyway. */
    static final int MAX_BODY = 4 * 1024 * 1024;
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private RequestMessage() {
    }

    /** A body over {@link #MAX_BODY}: 413. */
    static final class BodyTooLargeException extends Exception {
        BodyTooLargeException() {
            super(null, null, false, false);
        }
    }

    static DynamicMessage build(MethodBinding binding, boolean ignoreUnknownQuery, Map<String, String> pathParams,
                                UriQuery query, InputStream body)
            throws BadValueException, BodyTooLargeException, IOException {
        DynamicMessage.Builder message = DynamicMessage.newBuilder(binding.method().getInputType());
        if (binding.bodyWhole() || binding.bodyField() != null) {
            String json = readBody(body);
            if (!json.isBlank()) {
                Message.Builder target = binding.bodyWhole() ? message : message.getFieldBuilder(binding.bodyField());
                try {
                    PARSER.merge(json, target);
                } catch (InvalidProtocolBufferException e) {
                    throw new BadValueException("the JSON body does not match " + target.getDescriptorForType()
                            .getFullName() + ": " + e.getMessage());
                }
            }
        }
        if (!query.isEmpty()) {
            for (String name : query.names()) {
                FieldPath field = binding.queryFields().get(name);
                if (field == null) {
                    field = binding.byName().get(name);
                }
                if (field == null) {
                    if (ignoreUnknownQuery) {
                        continue;
                    }
                    throw new BadValueException("unknown query parameter '" + shorten(name) + "'");
                }
                set(message, field, query.all(name), "query parameter '" + name + "'");
            }
        }
        for (Map.Entry<String, FieldPath> e : binding.pathFields().entrySet()) {
            String value = pathParams.get(e.getKey());
            if (value != null) {
                set(message, e.getValue(), List.of(value), "path parameter '" + e.getKey() + "'");
            }
        }
        return message.build();
    }

    private static void set(DynamicMessage.Builder message, FieldPath path, List<String> values, String what)
            throws BadValueException {
        Message.Builder target = message;
        List<FieldDescriptor> fields = path.fields();
        for (int i = 0; i < fields.size() - 1; i++) {
            target = target.getFieldBuilder(fields.get(i));
        }
        FieldDescriptor leaf = path.leaf();
        if (leaf.isRepeated()) {
            for (String v : values) {
                target.addRepeatedField(leaf, ValueConverter.convert(leaf, v, what));
            }
        } else {
            if (values.size() > 1) {
                throw new BadValueException(what + " is given " + values.size() + " times; it takes one value");
            }
            target.setField(leaf, ValueConverter.convert(leaf, values.get(0), what));
        }
    }

    private static String readBody(InputStream in) throws IOException, BodyTooLargeException {
        byte[] bytes = in.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new BodyTooLargeException();
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String shorten(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }
}
