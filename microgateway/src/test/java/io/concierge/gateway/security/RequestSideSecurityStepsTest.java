package io.concierge.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.IpRanges;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.pipeline.Identity;
import io.concierge.gateway.testing.DirectChain;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.ClientResponseTyped;

/** The request-side security steps, each on its own, without a socket. */
class RequestSideSecurityStepsTest {

    @Test
    void clientIpBelievesForwardedForOnlyFromATrustedPeer() {
        try (DirectChain chain = DirectChain.of(SecuritySteps.clientIp(IpRanges.of("127.0.0.1"), false),
                DirectChain.answer(200, Map.of(), "ok"))) {
            chain.get("/api/x").header(HeaderNames.create("X-Forwarded-For"), "203.0.113.7").request(String.class);
            assertEquals("203.0.113.7", chain.lastExchange().clientIp());
        }
        try (DirectChain chain = DirectChain.of(SecuritySteps.clientIp(IpRanges.of("10.0.0.0/8"), true),
                DirectChain.answer(200, Map.of(), "ok"))) {
            chain.get("/api/x").header(HeaderNames.create("X-Forwarded-For"), "203.0.113.7").request(String.class);
            assertEquals(DirectChain.CLIENT, chain.lastExchange().clientIp());
            assertFalse(chain.lastExchange().upstreamHeaders().isEmpty(),
                    "at the edge an untrusted peer's forwarding headers are dropped upstream");
        }
    }

    @Test
    void ipListRefusesADeniedClientWithAProblem() {
        SecurityStats stats = new SecurityStats();
        DirectChain.Terminal upstream = DirectChain.answer(200, Map.of(), "ok");
        try (DirectChain chain = DirectChain.of(SecuritySteps.ipList(IpRanges.of("10.0.0.0/8"), IpRanges.NONE, stats),
                upstream)) {
            ClientResponseTyped<String> r = chain.get("/api/x").request(String.class);
            assertEquals(403, r.status().code());
            assertTrue(r.entity().contains(DirectChain.REQUEST_ID), r.entity());
        }
        assertFalse(upstream.reached());
        assertEquals(1L, stats.rejections(Rejection.IP_DENIED));
    }

    @Test
    void stripIdentityMarksEveryIdentityHeaderForRemovalUpstream() {
        try (DirectChain chain = DirectChain.of(SecuritySteps.stripIdentity(IdentityHeaders.DEFAULT),
                DirectChain.answer(200, Map.of(), "ok"))) {
            assertEquals(200, chain.get("/api/x").request(String.class).status().code());
            assertFalse(chain.lastExchange().upstreamHeaders().isEmpty());
        }
    }

    @Test
    void bodyLimitRefusesADeclaredOversizedBodyAndClosesTheConnection() {
        SecurityStats stats = new SecurityStats();
        DirectChain.Terminal upstream = DirectChain.answer(200, Map.of(), "ok");
        try (DirectChain chain = DirectChain.of(SecuritySteps.bodyLimit(10, stats), upstream)) {
            ClientResponseTyped<String> small = chain.method(Method.POST, "/api/x").submit("0123456789", String.class);
            assertEquals(200, small.status().code());
            upstream.reset();
            ClientResponseTyped<String> big = chain.method(Method.POST, "/api/x").submit("0123456789A", String.class);
            assertEquals(413, big.status().code());
            assertEquals("close", big.headers().first(HeaderNames.CONNECTION).orElse(null));
        }
        assertFalse(upstream.reached());
        assertEquals(1L, stats.bodyTooLarge());
    }

    @Test
    void authRefusesMissingCredentialsAndHandsAVerifiedIdentityOn() {
        GatewayConfig config = GatewayConfig.parse("auth-step.yaml", """
                domain: shop
                prefixes: [/api]
                security:
                  default-access: authenticated
                  jwt:
                    issuers:
                      demo: {issuer: demo, algorithms: [HS256], secret: %s}
                services:
                  backend:
                    instances:
                      - url: http://127.0.0.1:9
                routes:
                  - id: private
                    match: {path: /api/**}
                    service: backend
                """.formatted(TestTokens.SECRET), k -> null);
        DirectChain.Terminal upstream = DirectChain.answer(200, Map.of(), "ok");
        try (DomainSecurity domain = new DomainSecurity(config.domain(), config.security(), Set.of());
             DirectChain chain = DirectChain.of(SecuritySteps.auth("private", config.routes().get(0).auth(), domain),
                     upstream)) {
            ClientResponseTyped<String> none = chain.get("/api/x").request(String.class);
            assertEquals(401, none.status().code());
            assertTrue(none.headers().first(HeaderNames.WWW_AUTHENTICATE).orElse("").startsWith("Bearer"));
            assertFalse(upstream.reached());
            String token = TestTokens.hs256(Map.of("iss", "demo", "sub", "7", "roles", java.util.List.of("customer"),
                    "exp", System.currentTimeMillis() / 1000 + 300));
            ClientResponseTyped<String> ok = chain.get("/api/x").header(HeaderNames.AUTHORIZATION, "Bearer " + token)
                    .request(String.class);
            assertEquals(200, ok.status().code(), ok.entity());
            assertEquals("7", chain.lastExchange().attribute(Identity.class).subject());
            assertEquals(1L, domain.stats().rejections(Rejection.MISSING_CREDENTIALS));
        }
    }
}
