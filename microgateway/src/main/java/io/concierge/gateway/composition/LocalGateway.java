package io.concierge.gateway.composition;

import java.util.Set;

import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.routing.PathPattern;

/**
 * What a composition is checked against in the rest of its gateway's file: the routes and services
 * beside it. The top-level config implements it, so composition config imports neither route nor
 * service config (they sit above it; importing them back would make a package cycle). The checks
 * still run at the moment they always did, call by call, so a file with several mistakes reports the
 * same first one.
 */
public interface LocalGateway {
    /** The names under {@code services}, in file order (error messages list them). */
    Set<String> serviceNames();

    /** The ids of the routes; composition ids share their namespace. */
    Set<String> routeIds();

    /**
     * Fails, naming the call's {@code path} or {@code service}, unless a GET route of this gateway
     * serves the local call's path and leads to the service the call names.
     */
    void checkLocalCall(ConfigNode call, String service, PathTemplate path);

    /** Fails, naming {@code match.path}, when a route would answer the composition's paths first. */
    void checkNotShadowed(ConfigNode composition, CompositionConfig endpoint, PathPattern pattern);
}
