package io.concierge.gateway.security;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;

/**
 * The security state one gateway shares between its routes, built once at startup: the token
 * verifier with its JWKS caches, the API-key table, the counters. Owned and closed by the
 * gateway's runtime.
 */
public final class DomainSecurity implements AutoCloseable {
    /*
     * One daemon thread for the background JWKS refreshes of every gateway in the JVM: a fetch is
     * one short HTTP call with a timeout, so they can queue behind each other.
     */
    private static final ScheduledExecutorService REFRESHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "concierge-jwks-refresh");
        t.setDaemon(true);
        return t;
    });

    final SecurityConfig config;
    final SecurityStats stats = new SecurityStats();
    final Rejections rejections;
    final JwtVerifier jwt;
    final ApiKeyVerifier apiKeys;

    public DomainSecurity(GatewayConfig gateway) {
        this.config = gateway.security();
        this.rejections = new Rejections(gateway.domain(), stats);
        Set<String> ownerClaims = new HashSet<>();
        for (RouteConfig r : gateway.routes()) {
            if (r.auth().owner() != null) {
                ownerClaims.add(r.auth().owner().claim());
            }
        }
        gateway.compositions().forEach(c -> {
            if (c.auth().owner() != null) {
                ownerClaims.add(c.auth().owner().claim());
            }
        });
        this.jwt = new JwtVerifier(config.issuers(), ownerClaims, stats, REFRESHER);
        this.apiKeys = new ApiKeyVerifier(config.apiKeys());
    }

    /** The gateway's security counters. */
    public SecurityStats stats() {
        return stats;
    }

    /** The {@code security} section of the gateway's {@code /health}: issuers, key state, counters. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuers", jwt.describe());
        m.put("apiKeyConsumers", config.apiKeys().consumers().size());
        m.put("counters", stats.snapshot());
        return m;
    }

    @Override
    public void close() {
        jwt.close();
    }
}
