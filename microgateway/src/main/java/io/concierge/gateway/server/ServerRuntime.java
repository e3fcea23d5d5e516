package io.concierge.gateway.server;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.cache.SharedCache;
import io.concierge.gateway.composition.CompositionConfig;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;
import io.concierge.gateway.ratelimit.RateLimitConfig;
import io.concierge.gateway.ratelimit.RateLimitStep;
import io.concierge.gateway.ratelimit.RateLimiting;
import io.concierge.gateway.security.DomainSecurity;
import io.concierge.gateway.security.SecurityStats;
import io.concierge.gateway.transform.TransformStats;
import io.concierge.gateway.versioning.VersionStats;

/**
 * The state one server's steps share, built once when the server is built and closed with it, in
 * reverse order: the security state (a gateway's JWKS caches, API keys and counters, or the edge's
 * counters), the rate-limiting state (limiters, cluster counters, their background thread) and the
 * listeners' client timeouts (the head-deadline sweeper and its count).
 * One object per gateway or edge, so two servers in one JVM (tests) never share any of it.
 */
public final class ServerRuntime implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServerRuntime.class.getName());

    private final String owner;
    private final DomainSecurity domainSecurity;
    private final SecurityStats securityStats;
    private final RateLimiting rateLimiting;
    private final SharedCache cache;
    private final ClientTimeouts clientTimeouts;
    private final TransformStats transformStats;
    private final VersionStats versionStats;

    private ServerRuntime(String owner, DomainSecurity domainSecurity, SecurityStats securityStats,
                          RateLimiting rateLimiting, SharedCache cache) {
        this(owner, domainSecurity, securityStats, rateLimiting, cache, new ClientTimeouts(), new TransformStats(),
                new VersionStats());
    }

    private ServerRuntime(String owner, DomainSecurity domainSecurity, SecurityStats securityStats,
                          RateLimiting rateLimiting, SharedCache cache, ClientTimeouts clientTimeouts,
                          TransformStats transformStats, VersionStats versionStats) {
        this.owner = owner;
        this.domainSecurity = domainSecurity;
        this.securityStats = securityStats;
        this.rateLimiting = rateLimiting;
        this.cache = cache;
        this.clientTimeouts = clientTimeouts;
        this.transformStats = transformStats;
        this.versionStats = versionStats;
    }

    /**
     * The runtime of a reloaded gateway configuration: it shares with this one what must survive a
     * reload (the rate-limit state, so counters keyed by limit name continue; the shared cache; the
     * listeners' client timeouts; the counters) and builds anew only the domain security, and only
     * when its configuration changed (JWT issuers, API keys, owner claims). Rate limiting or a cache
     * appear when the new configuration is the first to need them. Nothing of this runtime is closed
     * here: {@link #closeUnshared} does that once the old generation has drained.
     */
    ServerRuntime reloaded(GatewayConfig running, GatewayConfig next, HazelcastInstance cluster) {
        DomainSecurity security = domainSecurity;
        if (!next.security().equals(running.security()) || !ownerClaims(next).equals(ownerClaims(running))) {
            security = new DomainSecurity(next.domain(), next.security(), ownerClaims(next));
        }
        try {
            RateLimiting limits = rateLimiting == null && anyLimits(next)
                    ? RateLimiting.create(next.domain(), cluster) : rateLimiting;
            SharedCache c = cache == null && next.routes().stream().anyMatch(r -> r.cache().enabled())
                    ? new SharedCache(next.domain(), cluster, next.cache()) : cache;
            return new ServerRuntime(owner, security, security.stats(), limits, c, clientTimeouts, transformStats,
                    versionStats);
        } catch (RuntimeException e) {
            if (security != domainSecurity) {
                security.close();
            }
            throw e;
        }
    }

    /**
     * The edge's runtime after a reload of edge.yaml: the same counters and rate-limit state (so the
     * edge-wide limits continue), with rate limiting created when {@code limits} are the first.
     */
    public ServerRuntime edgeReloaded(List<RateLimitConfig> limits, HazelcastInstance cluster) {
        RateLimiting rl = rateLimiting == null && !limits.isEmpty() ? RateLimiting.create("edge", cluster)
                : rateLimiting;
        return new ServerRuntime(owner, domainSecurity, securityStats, rl, cache, clientTimeouts, transformStats,
                versionStats);
    }

    /**
     * Closes what this runtime holds and {@code other} does not share: after a reload, the old
     * runtime's replaced domain security; after a failed reload, what the new runtime built.
     */
    public void closeUnshared(ServerRuntime other) {
        if (cache != other.cache) {
            close(cache);
        }
        if (rateLimiting != other.rateLimiting) {
            close(rateLimiting);
        }
        if (domainSecurity != other.domainSecurity) {
            close(domainSecurity);
        }
    }

    /** A gateway's: its domain security, rate limiting when it has any limit, the shared cache when a route caches. */
    public static ServerRuntime gateway(GatewayConfig config, HazelcastInstance cluster) {
        DomainSecurity security = new DomainSecurity(config.domain(), config.security(), ownerClaims(config));
        try {
            RateLimiting limits = anyLimits(config) ? RateLimiting.create(config.domain(), cluster) : null;
            SharedCache cache = config.routes().stream().anyMatch(r -> r.cache().enabled())
                    ? new SharedCache(config.domain(), cluster, config.cache()) : null;
            return new ServerRuntime(config.domain(), security, security.stats(), limits, cache);
        } catch (RuntimeException e) {
            security.close();
            throw e;
        }
    }

    /** The edge's: its security counters, and rate limiting when it has edge limits. */
    public static ServerRuntime edge(List<RateLimitConfig> limits, HazelcastInstance cluster) {
        return new ServerRuntime("edge", null, new SecurityStats(),
                limits.isEmpty() ? null : RateLimiting.create("edge", cluster), null);
    }

    /** Whether a gateway has any limit at all (so it needs a {@link RateLimiting}). */
    private static boolean anyLimits(GatewayConfig config) {
        if (!config.rateLimits().isEmpty()) {
            return true;
        }
        for (RouteConfig r : config.routes()) {
            if (!r.rateLimits().isEmpty()) {
                return true;
            }
        }
        for (CompositionConfig c : config.compositions()) {
            if (!RouteConfig.forComposition(c).rateLimits().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The claims the owner rules of the gateway's routes and compositions read. */
    private static Set<String> ownerClaims(GatewayConfig config) {
        Set<String> claims = new HashSet<>();
        for (RouteConfig r : config.routes()) {
            if (r.auth().owner() != null) {
                claims.add(r.auth().owner().claim());
            }
        }
        for (CompositionConfig c : config.compositions()) {
            if (c.auth().owner() != null) {
                claims.add(c.auth().owner().claim());
            }
        }
        return claims;
    }

    /** A gateway's security state; null at the edge. */
    public DomainSecurity domainSecurity() {
        return domainSecurity;
    }

    /** The server's security counters. */
    public SecurityStats securityStats() {
        return securityStats;
    }

    /** The rate-limiting state; null when the server has no limits. */
    public RateLimiting rateLimiting() {
        return rateLimiting;
    }

    /** The domain's shared response cache; null when no route caches. */
    public SharedCache cache() {
        return cache;
    }

    /** The public listeners' slow-client defence: its head-deadline sweeper and the count of heads cut. */
    public ClientTimeouts clientTimeouts() {
        return clientTimeouts;
    }

    /** What the routes' transform steps did with response bodies (counters only, nothing to close). */
    public TransformStats transformStats() {
        return transformStats;
    }

    /** Requests per API version of the versioning groups. */
    public VersionStats versionStats() {
        return versionStats;
    }

    /** The {@code rateLimiting} section of {@code /health}. */
    public Map<String, Object> rateLimitHealth() {
        return RateLimitStep.health(rateLimiting);
    }

    /** Reverse order of construction; one failure does not keep the rest open. */
    @Override
    public void close() {
        close(clientTimeouts);
        close(cache);
        close(rateLimiting);
        close(domainSecurity);
    }

    private void close(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, owner + ": closing " + c.getClass().getSimpleName() + " failed", e);
        }
    }
}
