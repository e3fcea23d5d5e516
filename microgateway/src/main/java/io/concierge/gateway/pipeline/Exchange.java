package io.concierge.gateway.pipeline;

import java.util.HashMap;
import java.util.Map;

import io.concierge.gateway.proxy.UpstreamHeaders;
import io.concierge.gateway.rewrite.RawPath;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * One request on its way through a pipeline: what the filters read (request, parsed path, path
 * parameters, route, client address) and what they leave for later filters and the proxy
 * (attributes such as the verified identity, headers to add or strip upstream).
 */
public final class Exchange {
    private final ServerRequest request;
    private final ServerResponse response;
    private final String requestId;
    private final RawPath path;
    private final Map<String, String> pathParams;
    private final String routeId;
    private final UpstreamHeaders upstreamHeaders = new UpstreamHeaders();
    private final Map<Class<?>, Object> attributes = new HashMap<>(4);
    private String clientIp;
    private String upstreamQuery;

    public Exchange(ServerRequest request, ServerResponse response, String requestId, RawPath path,
                    Map<String, String> pathParams, String routeId, String clientIp) {
        this.request = request;
        this.response = response;
        this.requestId = requestId;
        this.path = path;
        this.pathParams = pathParams;
        this.routeId = routeId;
        this.clientIp = clientIp;
    }

    public ServerRequest request() {
        return request;
    }

    public ServerResponse response() {
        return response;
    }

    public String requestId() {
        return requestId;
    }

    public RawPath path() {
        return path;
    }

    /** Decoded values of the route's {@code {name}} segments; empty at the edge. */
    public Map<String, String> pathParams() {
        return pathParams;
    }

    /** The matched route's id, or null at the edge. */
    public String routeId() {
        return routeId;
    }

    /** The client's address: the socket peer, unless a trusted-proxy rule established another. */
    public String clientIp() {
        return clientIp;
    }

    public void clientIp(String ip) {
        this.clientIp = ip;
    }

    /** The raw query to forward when a filter changed it (a credential removed), else null. */
    public String upstreamQuery() {
        return upstreamQuery;
    }

    public void upstreamQuery(String rawQuery) {
        this.upstreamQuery = rawQuery;
    }

    public UpstreamHeaders upstreamHeaders() {
        return upstreamHeaders;
    }

    public <T> T attribute(Class<T> type) {
        return type.cast(attributes.get(type));
    }

    public <T> void attribute(Class<T> type, T value) {
        attributes.put(type, value);
    }
}
