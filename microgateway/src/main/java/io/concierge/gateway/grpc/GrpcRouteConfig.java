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
        List<String> request = lower(metadata.stringList("request"));
        List<String> response = lower(metadata.stringList("response"));
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

    /** gRPC metadata keys are lower case; so are the configured names once read. */
    private static List<String> lower(List<String> names) {
        return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    }

    public String serviceName() {
        return method.substring(0, method.indexOf('/'));
    }

    public String methodName() {
        return method.substring(method.indexOf('/') + 1);
    }
}
