package io.concierge.gateway.transform;

import java.util.List;

import io.concierge.gateway.config.ByteSizes;
import io.concierge.gateway.config.ConfigNode;

/**
 * The {@code transform} section of a route, a composition or an API version (docs/transformation.md):
 * edits of the upstream request's headers and query, of the response's headers, and of a JSON
 * response body. Read and checked once at load.
 *
 * @param requestHeaders  edits of the headers sent upstream
 * @param query           edits of the query sent upstream
 * @param responseHeaders edits of the response headers (every response, whatever its status)
 * @param body            operations on a JSON body, in order
 * @param envelope        wrap the body in {@code {"status","data","timestamp","path"}} (default false)
 * @param maxBodySize     the largest body transformed, in bytes (default 1 MiB): a larger one streams through untouched
 */
public record TransformConfig(HeaderOps requestHeaders, QueryOps query, HeaderOps responseHeaders, List<BodyOp> body,
                              boolean envelope, long maxBodySize) {

    public static final long DEFAULT_MAX_BODY_SIZE = 1024 * 1024;
    public static final TransformConfig NONE = new TransformConfig(HeaderOps.NONE, QueryOps.NONE, HeaderOps.NONE,
            List.of(), false, DEFAULT_MAX_BODY_SIZE);

    /**
     * @param node            the {@code transform} mapping (absent: {@link #NONE})
     * @param requestAllowed  false where nothing is sent upstream (a composition's own answer)
     */
    public static TransformConfig read(ConfigNode node, boolean requestAllowed) {
        HeaderOps requestHeaders = HeaderOps.NONE;
        QueryOps query = QueryOps.NONE;
        if (node.has("request")) {
            if (!requestAllowed) {
                throw node.error("request", "a composition sends no request of its own to transform; transform its"
                        + " calls' routes instead");
            }
            ConfigNode request = node.object("request");
            requestHeaders = HeaderOps.read(request.object("headers"));
            query = QueryOps.read(request.object("query"));
            request.rejectUnknownKeys();
        }
        ConfigNode response = node.object("response");
        HeaderOps responseHeaders = HeaderOps.read(response.object("headers"));
        List<BodyOp> body = BodyOps.read(response, "body");
        boolean envelope = response.bool("envelope", false);
        long max = ByteSizes.read(response, "max-body-size", 1, 64L * 1024 * 1024);
        response.rejectUnknownKeys();
        node.rejectUnknownKeys();
        return new TransformConfig(requestHeaders, query, responseHeaders, body, envelope,
                max < 0 ? DEFAULT_MAX_BODY_SIZE : max);
    }

    public boolean isEmpty() {
        return requestHeaders.isEmpty() && query.isEmpty() && responseHeaders.isEmpty() && !transformsBody();
    }

    boolean transformsBody() {
        return !body.isEmpty() || envelope;
    }
}
