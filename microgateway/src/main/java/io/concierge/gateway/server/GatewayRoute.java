package io.concierge.gateway.server;

import io.concierge.gateway.domainconfig.RouteConfig;
import io.concierge.gateway.pipeline.Chain;

/**
 * A route with everything it needs at request time, built once at load: its configuration and its
 * chain, whose last step is the route's {@link RouteTarget}.
 */
record GatewayRoute(RouteConfig config, Chain chain) {
}
