package io.concierge.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * The JWKS cache against a real JWKS server that the test rotates keys on and takes down: the
 * fetch-rate limit under a flood of unknown kids, rotation without restart (on an unknown kid and
 * by the background refresh), cached keys serving through an outage, and max-stale.
 */
class JwksRotationTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static WireUpstream upstream;
    static KeyPair key1;
    static KeyPair key2;

    @BeforeAll
    static void start() {
        upstream = WireUpstream.start(WireUpstream.echo());
        key1 = TestTokens.rsa();
        key2 = TestTokens.rsa();
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    static SecureGateway gateway(JwksServer jwks, String jwksOptions) {
        return new SecureGateway(SecureGateway.head("jwks") + """
                security:
                  default-access: authenticated
                  jwt:
                    issuers:
                      idp:
                        issuer: idp
                        algorithms: [RS256]
                        jwks: {url: "%s", %s}
                """.formatted(jwks.url(), jwksOptions) + SecureGateway.service(upstream.port()) + """
                routes:
                  - id: all
                    match: {path: /api/**}
                    service: backend
                """);
    }

    static String token(KeyPair key, String kid) {
        return TestTokens.rs256(key.getPrivate(), kid, TestTokens.claims("idp", "u1"));
    }

    @Test
    void aFloodOfUnknownKidsCostsTheIssuerAtMostOneFetchPerInterval() throws IOException {
        try (JwksServer jwks = new JwksServer().publish(TestTokens.jwk(key1, "k1", "RS256"));
             SecureGateway gw = gateway(jwks, "refresh-interval: 10m, min-refetch-interval: 1h")) {
            assertEquals(1, jwks.fetches(), "one fetch at start-up");
            for (int i = 0; i < 60; i++) {
                WireResponse r = gw.bearer("/api/x", token(key1, "random-" + UUID.randomUUID()));
                assertEquals(401, r.status());
            }
            assertEquals(2, jwks.fetches(), "the first unknown kid may refetch once; the other 59 must not");
            assertEquals(59, gw.stats().jwksRefetchesSuppressed());
            assertEquals(200, gw.bearer("/api/x", token(key1, "k1")).status(), "known keys keep working");
        }
    }

    @Test
    void aRotationIsPickedUpWhenATokenNamesTheNewKid() throws IOException {
        try (JwksServer jwks = new JwksServer().publish(TestTokens.jwk(key1, "k1", "RS256"));
             SecureGateway gw = gateway(jwks, "refresh-interval: 10m, min-refetch-interval: 1h")) {
            assertEquals(200, gw.bearer("/api/x", token(key1, "k1")).status());
            jwks.publish(TestTokens.jwk(key2, "k2", "RS256")); // the issuer rotates: k1 retired, k2 new
            assertEquals(200, gw.bearer("/api/x", token(key2, "k2")).status(), "the new kid triggers one refetch");
            assertEquals(2, jwks.fetches());
            assertEquals(401, gw.bearer("/api/x", token(key1, "k1")).status(), "the retired key is gone with that fetch");
        }
    }

    @Test
    void theBackgroundRefreshPicksUpARotationWithoutAnyRequest() throws IOException, InterruptedException {
        try (JwksServer jwks = new JwksServer().publish(TestTokens.jwk(key1, "k1", null));
             SecureGateway gw = gateway(jwks, "refresh-interval: 100ms, min-refetch-interval: 1h")) {
            assertEquals(200, gw.bearer("/api/x", token(key1, "k1")).status());
            jwks.publish(TestTokens.jwk(key2, "k1", null)); // same kid, new key: only a refresh can tell
            int seen = jwks.fetches();
            // Fetches are serialised: once the second one after the change has begun, the first has been applied.
            jwks.awaitFetches(seen + 2, WAIT);
            assertEquals(401, gw.bearer("/api/x", token(key1, "k1")).status());
            assertEquals(200, gw.bearer("/api/x", token(key2, "k1")).status());
        }
    }

    @Test
    void cachedKeysKeepServingWhileTheEndpointIsDown() throws IOException, InterruptedException {
        try (JwksServer jwks = new JwksServer().publish(TestTokens.jwk(key1, "k1", "RS256"));
             SecureGateway gw = gateway(jwks, "refresh-interval: 100ms, min-refetch-interval: 1h, max-stale: 1h")) {
            jwks.down(true);
            jwks.awaitFetches(jwks.fetches() + 2, WAIT);
            assertTrue(gw.stats().jwksFetchFailures() >= 1);
            long staleBefore = gw.stats().jwksStaleKeyUses();
            assertEquals(200, gw.bearer("/api/x", token(key1, "k1")).status());
            assertEquals(staleBefore + 1, gw.stats().jwksStaleKeyUses(), "the fallback is counted");
            jwks.down(false);
        }
    }

    @Test
    void afterMaxStaleWithoutASuccessfulFetchTokensAreRefused() throws IOException, InterruptedException {
        try (JwksServer jwks = new JwksServer().publish(TestTokens.jwk(key1, "k1", "RS256"));
             SecureGateway gw = gateway(jwks, "refresh-interval: 100ms, min-refetch-interval: 1h, max-stale: 300ms")) {
            jwks.down(true);
            // Refreshes run at least 100ms apart, so after five failed ones max-stale has passed.
            jwks.awaitFetches(jwks.fetches() + 5, WAIT);
            WireResponse r = gw.bearer("/api/x", token(key1, "k1"));
            assertEquals(401, r.status());
            assertEquals("the issuer's keys are not available", r.json().get("detail").asText());
            jwks.down(false);
            int seen = jwks.fetches();
            jwks.awaitFetches(seen + 2, WAIT);
            assertEquals(200, gw.bearer("/api/x", token(key1, "k1")).status(), "back once the endpoint answers");
        }
    }

    @Test
    void aGatewayStartsWhileTheEndpointIsDownAndRecoversOnTheFirstToken() throws IOException {
        try (JwksServer jwks = new JwksServer().publish(TestTokens.jwk(key1, "k1", "RS256"))) {
            jwks.down(true);
            try (SecureGateway gw = gateway(jwks, "refresh-interval: 10m, min-refetch-interval: 1h")) {
                assertEquals(1, jwks.fetches());
                jwks.down(false);
                assertEquals(200, gw.bearer("/api/x", token(key1, "k1")).status());
                assertEquals(2, jwks.fetches());
            }
        }
    }
}
