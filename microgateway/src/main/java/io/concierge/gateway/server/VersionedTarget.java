package io.concierge.gateway.server;

import java.util.List;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.versioning.VersionStep;

/**
 * The end of a versioned route whose API versions may be served by different services: one
 * {@link ProxyTarget} per version, each with its service's pool and upstream stack, all built at
 * load by {@link RouteChains#route}. Per request it only picks the one of the version that
 * {@link VersionStep} selected (the version shape step has already rewritten the path for it).
 */
final class VersionedTarget implements RouteTarget {
    private final ProxyTarget[] byVersion;
    private final int defaultIndex;

    /**
     * @param byVersion    in the order of the group's versions
     * @param defaultIndex the default version's, for a request no VersionStep saw (assembly rules that out)
     */
    VersionedTarget(List<ProxyTarget> byVersion, int defaultIndex) {
        this.byVersion = byVersion.toArray(ProxyTarget[]::new);
        this.defaultIndex = defaultIndex;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        int i = VersionStep.selectedIndex(exchange);
        byVersion[i < 0 ? defaultIndex : i].handle(exchange, next);
    }

    /** The targets in version order (for describing and testing a route). */
    List<ProxyTarget> targets() {
        return List.of(byVersion);
    }
}
