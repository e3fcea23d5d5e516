package io.concierge.gateway.pipeline;

import java.io.InputStream;
import java.util.Optional;
import java.util.function.UnaryOperator;

import io.helidon.common.context.Context;
import io.helidon.common.parameters.Parameters;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.uri.UriFragment;
import io.helidon.common.uri.UriInfo;
import io.helidon.common.uri.UriPath;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.Header;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.RoutedPath;
import io.helidon.http.ServerRequestHeaders;
import io.helidon.http.WritableHeaders;
import io.helidon.http.media.ReadableEntity;
import io.helidon.http.media.ReadableEntityBase;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.http.HttpSecurity;
import io.helidon.webserver.http.ServerRequest;

/**
 * A body-less request that never crossed a socket: what a local composition call hands to a
 * route's chain, so the route's steps (auth, identity stripping, rate limits, the proxy) run on it
 * exactly as on a client's request. The connection-level facts (peers, TLS, listener, context) are
 * those of the client request it is part of; method, target and headers are its own.
 *
 * <p>Why implement Helidon's {@link ServerRequest} rather than a request type of our own: every step
 * and the proxy read Helidon's request, so a narrower type would mean rewriting all of them (and the
 * proxy's hot path) for one caller; this class is the only place that knows a request can be synthetic.
 */
public final class InMemoryRequest implements ServerRequest {
    private final ServerRequest origin;
    private final HttpPrologue prologue;
    private final ServerRequestHeaders headers;
    private final UriQuery query;

    /**
     * @param origin    the client's request this one is part of (peers, TLS, listener, context)
     * @param method    the method
     * @param rawTarget the request target as it would be sent: raw path, then {@code ?} and the raw query
     * @param headers   the request's headers, complete (nothing is copied from {@code origin})
     */
    public InMemoryRequest(ServerRequest origin, Method method, String rawTarget, WritableHeaders<?> headers) {
        this.origin = origin;
        int q = rawTarget.indexOf('?');
        this.query = q < 0 ? UriQuery.empty() : UriQuery.create(rawTarget.substring(q + 1));
        this.prologue = HttpPrologue.create("HTTP/1.1", "HTTP", "1.1", method,
                UriPath.create(q < 0 ? rawTarget : rawTarget.substring(0, q)), query, UriFragment.empty());
        this.headers = ServerRequestHeaders.create(headers);
    }

    @Override
    public HttpPrologue prologue() {
        return prologue;
    }

    @Override
    public ServerRequestHeaders headers() {
        return headers;
    }

    @Override
    public RoutedPath path() {
        return new Routed(prologue.uriPath());
    }

    @Override
    public UriQuery query() {
        return query;
    }

    @Override
    public PeerInfo remotePeer() {
        return origin.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return origin.localPeer();
    }

    @Override
    public String authority() {
        return headers.first(io.helidon.http.HeaderNames.HOST).orElse(null);
    }

    @Override
    public void header(Header header) {
        // Steps never add request headers (they record changes for upstream in the Exchange).
        throw new UnsupportedOperationException("the headers of an in-memory request are fixed");
    }

    @Override
    public int id() {
        return origin.id();
    }

    @Override
    public UriInfo requestedUri() {
        return UriInfo.builder(origin.requestedUri()).path(prologue.uriPath()).query(query).build();
    }

    @Override
    public void reset() {
    }

    @Override
    public boolean isSecure() {
        return origin.isSecure();
    }

    @Override
    public ReadableEntity content() {
        return ReadableEntityBase.empty();
    }

    @Override
    public String socketId() {
        return origin.socketId();
    }

    @Override
    public String serverSocketId() {
        return origin.serverSocketId();
    }

    @Override
    public Context context() {
        return origin.context();
    }

    @Override
    public ListenerContext listenerContext() {
        return origin.listenerContext();
    }

    @Override
    public HttpSecurity security() {
        return origin.security();
    }

    @Override
    public boolean continueSent() {
        return false;
    }

    @Override
    public void streamFilter(UnaryOperator<InputStream> filterFunction) {
        // No body to filter.
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return Optional.empty();
    }

    /** The path as routed: Helidon's path parameters are unused (the route table keeps its own). */
    private record Routed(UriPath uri) implements RoutedPath {
        @Override
        public Parameters pathParameters() {
            return Parameters.empty("path");
        }

        @Override
        public RoutedPath absolute() {
            return this;
        }

        @Override
        public String rawPath() {
            return uri.rawPath();
        }

        @Override
        public String rawPathNoParams() {
            return uri.rawPathNoParams();
        }

        @Override
        public String path() {
            return uri.path();
        }

        @Override
        public Parameters matrixParameters() {
            return uri.matrixParameters();
        }

        @Override
        public void validate() {
            uri.validate();
        }
    }
}
