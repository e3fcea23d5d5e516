package io.concierge.gateway.server;

import io.concierge.gateway.pipeline.Step;

/**
 * Where a route's chain ends: the terminal step, which answers and never proceeds. A route proxies
 * to a service (per API version, maybe another one) or answers from a composition or from a gRPC
 * method, never both, so each kind carries exactly what it needs instead of one route type with
 * fields that are null for the other kind.
 */
public sealed interface RouteTarget extends Step permits ProxyTarget, CompositionTarget, VersionedTarget, GrpcTarget {
}
