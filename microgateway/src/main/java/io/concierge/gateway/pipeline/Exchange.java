package io.concierge.gateway.pipeline;

import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;

import io.concierge.gateway.proxy.UpstreamHeaders;
import io.concierge.gateway.rewrite.RawPath;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * One request on its way through a chain: what the steps read (request, parsed path, path
 * parameters, route, client address), what they leave for later steps and the upstream (attributes
 * such as the verified identity, headers to add or strip upstream), and the response interceptors
 * of the steps that proceeded. The front steps fill in the request id, the path and the route.
 */
public final class Exchange {
    private static final int INITIAL_INTERCEPTORS = 4;

    private final ServerRequest request;
    private final ChainResponse response;
    private final RequestObserver observer;
    /** Created by the first step that changes upstream headers: most requests of a bare route have none. */
    private UpstreamHeaders upstreamHeaders;
    private Map<Class<?>, Object> attributes;
    private String requestId;
    private RawPath path;
    private Map<String, String> pathParams = Map.of();
    private String routeId;
    private String clientIp;
    private String upstreamQuery;
    private ResponseInterceptor[] interceptors;
    private int interceptorCount;
    private boolean localCall;

    /**
     * @param clientIp the socket peer's address, until a trusted-proxy rule establishes another
     */
    public Exchange(ServerRequest request, ServerResponse response, RequestObserver observer, String clientIp) {
        this.request = request;
        this.response = new ChainResponse(response, this);
        this.observer = observer;
        this.clientIp = clientIp;
    }

    /**
     * An exchange for a local composition call: a part of a client's request that already passed
     * this gateway's front and the composition route's chain, now run through the target route's chain
     * in process ({@link InMemoryRequest}, {@link CapturedResponse}).
     *
     * @param clientIp  the client's socket peer, resolved again by the route's trusted-proxy rule
     * @param requestId the client request's id
     */
    public static Exchange localCall(InMemoryRequest request, CapturedResponse response, RequestObserver observer,
                                     String clientIp, String requestId) {
        Exchange e = new Exchange(request, response, observer, clientIp);
        e.localCall = true;
        e.requestId = requestId;
        return e;
    }

    /**
     * An exchange for a request a step makes itself on this client request's behalf (the cache's
     * validation and background refresh): the same route, path, client, identity attributes and
     * upstream header changes, another request and response, no interceptors.
     */
    public Exchange fork(ServerRequest request, ServerResponse response) {
        Exchange e = new Exchange(request, response, RequestObserver.NONE, clientIp);
        e.requestId = requestId;
        e.path = path;
        e.pathParams = pathParams;
        e.routeId = routeId;
        e.upstreamQuery = upstreamQuery;
        e.localCall = localCall;
        if (attributes != null) {
            e.attributes = new HashMap<>(attributes);
        }
        if (upstreamHeaders != null) {
            upstreamHeaders.copyTo(e.upstreamHeaders());
        }
        return e;
    }

    /**
     * Whether this is a local composition call ({@link #localCall}): the domain-wide rate limits
     * counted the client's request already, so they do not count its parts again.
     */
    public boolean isLocalCall() {
        return localCall;
    }

    public ServerRequest request() {
        return request;
    }

    /** The response to answer on; its head is written after the interceptors ran. */
    public ChainResponse response() {
        return response;
    }

    public RequestObserver observer() {
        return observer;
    }

    /** The request id, once the request-id step set it. */
    public String requestId() {
        return requestId;
    }

    public void requestId(String id) {
        this.requestId = id;
    }

    /** The parsed path, once admission accepted it. */
    public RawPath path() {
        return path;
    }

    public void path(RawPath path) {
        this.path = path;
    }

    /** Decoded values of the route's {@code {name}} segments; empty at the edge. */
    public Map<String, String> pathParams() {
        return pathParams;
    }

    /** The matched route's id, or null at the edge. */
    public String routeId() {
        return routeId;
    }

    /** Records the matched route (route matching). */
    public void route(String routeId, Map<String, String> pathParams) {
        this.routeId = routeId;
        this.pathParams = pathParams;
    }

    /** The client's address: the socket peer, unless a trusted-proxy rule established another. */
    public String clientIp() {
        return clientIp;
    }

    public void clientIp(String ip) {
        this.clientIp = ip;
    }

    /** The raw query to forward when a step changed it (a credential removed), else null. */
    public String upstreamQuery() {
        return upstreamQuery;
    }

    public void upstreamQuery(String rawQuery) {
        this.upstreamQuery = rawQuery;
    }

    /** The header changes for the upstream request, to add to (created on first use). */
    public UpstreamHeaders upstreamHeaders() {
        if (upstreamHeaders == null) {
            upstreamHeaders = new UpstreamHeaders();
        }
        return upstreamHeaders;
    }

    /** The header changes the steps asked for, or null when there are none (what the proxy takes). */
    public UpstreamHeaders upstreamChanges() {
        return upstreamHeaders == null || upstreamHeaders.isEmpty() ? null : upstreamHeaders;
    }

    public <T> T attribute(Class<T> type) {
        return attributes == null ? null : type.cast(attributes.get(type));
    }

    public <T> void attribute(Class<T> type, T value) {
        if (attributes == null) {
            attributes = new HashMap<>(4);
        }
        attributes.put(type, value);
    }

    /**
     * Lets {@code interceptor} see and change the answer of the steps after the caller, before its
     * head is written. Register before proceeding; has no effect once the head is written.
     */
    public void beforeHead(ResponseInterceptor interceptor) {
        if (interceptors == null) {
            interceptors = new ResponseInterceptor[INITIAL_INTERCEPTORS];
        } else if (interceptorCount == interceptors.length) {
            interceptors = java.util.Arrays.copyOf(interceptors, interceptorCount * 2);
        }
        interceptors[interceptorCount++] = interceptor;
    }

    /** Innermost (last registered) first; @return whether any wants the body */
    boolean runInterceptors(ChainResponse res) {
        boolean body = false;
        for (int i = interceptorCount - 1; i >= 0; i--) {
            interceptors[i].beforeHead(this, res);
            body |= interceptors[i].readsBody();
        }
        return body;
    }

    /** Wraps the body so the innermost interceptor sees the bytes first. */
    OutputStream interceptBody(OutputStream out) {
        OutputStream o = out;
        for (int i = 0; i < interceptorCount; i++) {
            if (interceptors[i].readsBody()) {
                o = interceptors[i].body(this, o);
            }
        }
        return o;
    }
}
