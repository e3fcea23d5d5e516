package io.concierge.gateway.grpc;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.concierge.gateway.config.ConfigNode;

/**
 * The {@code grpc} section of a route: the route's target is one gRPC method, and how the HTTP
 * request fills the method's request message. Checked against the service's descriptors at load
 * ({@link MethodBinding#compile}).
 *
 * @param method             {@code package.Service/Method}
 * @param pathParams         {@code path-params}: route {@code {name}} → field path (dotted for nested
 *                           messages); a path parameter not listed goes to the field of its own name
 * @param query              {@code query}: query parameter → field path; a parameter not listed goes to
 *                           the top-level field of its name (JSON or .proto name)
 * @param body               {@code body}: {@code "*"} (the JSON body is the request message), a field
 *                           name (the body is that field), or null: no body (default)
 * @param ignoreUnknownQuery {@code ignore-unknown-query}: a query parameter that maps to no field is
 *                           ignored instead of a 400 (default false)
 * @param requestMetadata    {@code metadata.request}: request headers sent along as metadata
 * @param responseMetadata   {@code metadata.response}: response metadata (headers or trailers) returned as headers
 * @param json               {@code json}: response JSON options
 * @param stream             {@code stream}: {@code json-array} (default) or {@code ndjson}, server-streaming only
 * @param retryable          {@code retryable}: the method is safe to retry on another instance (default
 *                           false; see docs/grpc.md: gRPC has no HTTP method to tell)
 */
public record GrpcRouteConfig(String method, Map<String, String> pathParams, Map<String, String> query, String body,
                              boolean ignoreUnknownQuery, List<String> requestMetadata, List<String> responseMetadata,
                              JsonOptions json, StreamFormat stream, boolean retryable) {

    public static GrpcRouteConfig read(ConfigNode node) {
        String method = node.requiredString("method");
        if (method.indexOf('/') <= 0 || method.indexOf('/') != method.lastIndexOf('/') || method.endsWith("/")) {
            throw node.error("method", "must be package.Service/Method (was '" + method + "')");
        }
        Map<String, String> pathParams = node.stringMap("path-params");
        Map<String, String> query = node.stringMap("query");
        String body = node.string("body", null);
        boolean ignoreUnknown = node.bool("ignore-unknown-query", false);
        ConfigNode metadata = node.object("metadata");
        List<String> request = metadataNames(metadata, "request");
        List<String> response = metadataNames(metadata, "response");
        metadata.rejectUnknownKeys();
        JsonOptions json = node.has("json") ? JsonOptions.read(node.object("json")) : JsonOptions.DEFAULT;
        String streamValue = node.string("stream", "json-array");
        StreamFormat stream = switch (streamValue) {
            case "json-array" -> StreamFormat.JSON_ARRAY;
            case "ndjson" -> StreamFormat.NDJSON;
            default -> throw node.error("stream", "must be json-array or ndjson (was '" + streamValue + "')");
        };
        boolean retryable = node.bool("retryable", false);
        node.rejectUnknownKeys();
        return new GrpcRouteConfig(method, Map.copyOf(pathParams), Map.copyOf(query), body, ignoreUnknown,
                request, response, json, stream, retryable);
    }

    /**
     * gRPC metadata keys are lower case; so are the configured names once read. Names gRPC itself
     * uses ({@code grpc-*}, pseudo-headers, the HTTP/2 connection's own fields) cannot be passed
     * through, and binary ({@code -bin}) metadata has no header form.
     */
    private static List<String> metadataNames(ConfigNode node, String key) {
        List<String> names = node.stringList(key);
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i).toLowerCase(Locale.ROOT);
            if (!validName(n) || n.startsWith("grpc-") || n.endsWith("-bin") || RESERVED.contains(n)) {
                throw new io.concierge.gateway.config.ConfigException(node.file(), node.child(key) + "[" + i + "]",
                        "'" + names.get(i) + "' cannot be passed as gRPC metadata (a header token, not grpc-*, "
                                + "*-bin, " + String.join(", ", RESERVED) + ")");
            }
            names.set(i, n);
        }
        return List.copyOf(names);
    }

    private static final List<String> RESERVED = List.of("content-type", "te", "host", "connection", "user-agent",
            "content-length", "transfer-encoding");

    private static boolean validName(String n) {
        if (n.isEmpty()) {
            return false;
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.') {
                return false;
            }
        }
        return true;
    }

    public String serviceName() {
        return method.substring(0, method.indexOf('/'));
    }

    public String methodName() {
        return method.substring(method.indexOf('/') + 1);
    }
}
