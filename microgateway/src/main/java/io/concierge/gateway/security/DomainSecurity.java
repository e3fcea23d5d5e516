package io.concierge.gateway.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The security state one gateway shares between its routes, built once at startup: the token
 * verifier with its JWKS caches, the API-key table, the counters. Owned and closed by the
 * gateway's runtime.
 */
public final class DomainSecurity implements AutoCloseable {
    /*
     * One daemon thread for the background JWKS refreshes of this gateway's issuers (started by
     * the first refresh, stopped in close()): a fetch is one short HTTP call with a timeout, so
     * they can queue behind each other.
     */
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "concierge-jwks-refresh");
        t.setDaemon(true);
        return t;
    });

    final SecurityConfig config;
    final SecurityStats stats = new SecurityStats();
    final Rejections rejections;
    final JwtVerifier jwt;
    final ApiKeyVerifier apiKeys;

    /**
     * @param domain      names the gateway in refusals and logs
     * @param ownerClaims the claims the routes' owner rules read, so tokens keep them
     */
    public DomainSecurity(String domain, SecurityConfig config, Set<String> ownerClaims) {
        this.config = config;
        this.rejections = new Rejections(domain, stats);
        this.jwt = new JwtVerifier(config.issuers(), ownerClaims, stats, refresher);
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
        try {
            jwt.close();
        } finally {
            refresher.shutdownNow();
        }
    }
}
