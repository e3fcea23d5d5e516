package io.concierge.gateway.server;

import java.util.Map;

import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.proxy.ProxyEngine;
import io.concierge.gateway.resilience.ServiceResilience;

/**
 * What a route's chain ends in, as the server found it at load: a service to proxy to (from which
 * {@link RouteChains#route} builds the upstream stack), several when the route's API versions name
 * their own services, a composition, or a gRPC method.
 */
public sealed interface RouteBackend {
    /** @param resilience the service's resilience state, or null for none */
    record Service(ProxyEngine engine, UpstreamGroup group, ServiceResilience resilience) implements RouteBackend {
    }

    /**
     * A versioned route some of whose versions name a service of their own ({@code versions[].service}).
     *
     * @param own             the route's service, for the versions that name none
     * @param versionServices the services the versions name, by name
     */
    record Versioned(Service own, Map<String, Service> versionServices) implements RouteBackend {
    }

    record Composition(CompositionTarget target) implements RouteBackend {
    }

    /** A gRPC method (docs/grpc.md): the transcoder holds the method, its mapping and the service's channels. */
    record Grpc(GrpcTarget target) implements RouteBackend {
    }
}
