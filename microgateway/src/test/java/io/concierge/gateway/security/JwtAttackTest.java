package io.concierge.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * Every known way to forge or replay a JWT, against a real gateway with an HS256 issuer and an
 * RS256/PS256/ES256 issuer whose keys come from a real JWKS server. Each attack must end in a 401
 * problem with an RFC 6750 challenge, and must never reach the upstream.
 */
class JwtAttackTest {
    static final String HS_ISS = "test-hs";
    static final String IDP = "test-idp";
    static WireUpstream upstream;
    static JwksServer jwks;
    static SecureGateway gateway;
    static KeyPair rsa;
    static KeyPair ec;
    static KeyPair stranger;

    @BeforeAll
    static void start() {
        rsa = TestTokens.rsa();
        ec = TestTokens.ec();
        stranger = TestTokens.rsa();
        upstream = WireUpstream.start(WireUpstream.echo());
        jwks = new JwksServer().publish(TestTokens.jwk(rsa, "rsa-1", null), TestTokens.jwk(ec, "ec-1", "ES256"));
        gateway = new SecureGateway(SecureGateway.head("jwt") + """
                security:
                  default-access: authenticated
                  jwt:
                    issuers:
                      demo:
                        issuer: %s
                        algorithms: [HS256]
                        secret: %s
                      idp:
                        issuer: %s
                        algorithms: [RS256, PS256, ES256]
                        audiences: [concierge]
                        clock-skew: 5s
                        jwks: {url: "%s", refresh-interval: 10m, min-refetch-interval: 1h}
                """.formatted(HS_ISS, TestTokens.SECRET, IDP, jwks.url()) + SecureGateway.service(upstream.port()) + """
                routes:
                  - id: all
                    match: {path: /api/**}
                    service: backend
                """);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        jwks.close();
        upstream.close();
    }

    static Map<String, Object> idpClaims() {
        Map<String, Object> c = TestTokens.claims(IDP, "u-1", "customer");
        c.put("aud", "concierge");
        return c;
    }

    static void assertRefused(WireResponse r, String reasonDetail) {
        assertEquals(401, r.status(), r.toString());
        assertEquals("application/problem+json", r.header("Content-Type"));
        String challenge = String.join(" | ", r.headers("WWW-Authenticate"));
        assertTrue(challenge.contains("Bearer realm=\"jwt\""), challenge);
        assertTrue(challenge.contains("error=\"invalid_token\""), challenge);
        assertEquals(reasonDetail, r.json().get("detail").asText(), r.toString());
        assertNotNull(r.json().get("requestId"));
    }

    WireResponse call(String token) throws IOException {
        int before = upstream.requestCount();
        WireResponse r = gateway.bearer("/api/thing", token);
        if (r.status() != 200) {
            assertEquals(before, upstream.requestCount(), "a refused request must not reach the upstream");
        }
        return r;
    }

    @Test
    void validTokensOfEveryAllowedAlgorithmPass() throws IOException {
        assertEquals(200, call(TestTokens.hs256(TestTokens.claims(HS_ISS, "1", "customer"))).status());
        assertEquals(200, call(TestTokens.rs256(rsa.getPrivate(), "rsa-1", idpClaims())).status());
        assertEquals(200, call(TestTokens.ps256(rsa.getPrivate(), "rsa-1", idpClaims())).status());
        assertEquals(200, call(TestTokens.es256(ec.getPrivate(), "ec-1", idpClaims())).status());
    }

    @Test
    void missingTokenIs401WithAnInvalidTokenChallenge() throws IOException {
        WireResponse r = gateway.get("/api/thing");
        assertEquals(401, r.status());
        assertEquals(List.of("Bearer realm=\"jwt\", error=\"invalid_token\", error_description=\"credentials are required\""),
                r.headers("WWW-Authenticate"));
        assertEquals("credentials are required", r.json().get("detail").asText());
    }

    @Test
    void algNoneIsRefused() throws IOException {
        Map<String, Object> claims = TestTokens.claims(HS_ISS, "1", "admin");
        for (String none : List.of("none", "None", "NONE", "nOnE")) {
            String token = TestTokens.signingInput(TestTokens.header(none, null), claims) + ".";
            assertRefused(call(token), "the token's algorithm is not accepted");
            // ... also with a signature that some libraries would ignore for "none"
            assertRefused(call(token + "c2ln"), "the token's algorithm is not accepted");
        }
    }

    @Test
    void anAlgorithmTheIssuerDoesNotAllowIsRefused() throws IOException {
        // HS512 with the right secret is still not on the demo issuer's list [HS256].
        String token = TestTokens.hs("HmacSHA512", TestTokens.SECRET.getBytes(StandardCharsets.UTF_8),
                TestTokens.header("HS512", null), TestTokens.claims(HS_ISS, "1"));
        assertRefused(call(token), "the token's algorithm is not accepted");
        // RS384 signed by the right key: not on the idp's list either.
        String rs384 = TestTokens.sign("RS384", "SHA384withRSA", null, rsa.getPrivate(), "rsa-1", idpClaims());
        assertRefused(call(rs384), "the token's algorithm is not accepted");
    }

    @Test
    void wrongKeyIsRefused() throws IOException {
        String wrongSecret = TestTokens.hs("HmacSHA256", "another-secret-0123456789abcdef-xyz".getBytes(StandardCharsets.UTF_8),
                TestTokens.header("HS256", null), TestTokens.claims(HS_ISS, "1"));
        assertRefused(call(wrongSecret), "the token's signature is not valid");
        // A key the attacker made, under the kid of a real one.
        assertRefused(call(TestTokens.rs256(stranger.getPrivate(), "rsa-1", idpClaims())), "the token's signature is not valid");
        assertRefused(call(TestTokens.es256(TestTokens.ec().getPrivate(), "ec-1", idpClaims())), "the token's signature is not valid");
    }

    @Test
    void hmacSignedWithTheRsaPublicKeyIsRefused() throws IOException {
        // The classic confusion: the public key is public, so an attacker can HMAC with it and hope
        // the verifier uses "the key" for whatever alg the header names.
        byte[] der = rsa.getPublic().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
        for (byte[] key : List.of(der, pem.getBytes(StandardCharsets.US_ASCII))) {
            String token = TestTokens.hs("HmacSHA256", key, TestTokens.header("HS256", "rsa-1"), idpClaims());
            assertRefused(call(token), "the token's algorithm is not accepted");
        }
        assertTrue(gateway.stats().rejections(Rejection.ALGORITHM_NOT_ALLOWED) > 0);
    }

    @Test
    void expiredIsRefusedBeyondTheClockSkew() throws IOException {
        Map<String, Object> c = idpClaims();
        long now = Instant.now().getEpochSecond();
        c.put("iat", now - 7200);
        c.put("exp", now - 60); // the idp's skew is 5s
        assertRefused(call(TestTokens.rs256(rsa.getPrivate(), "rsa-1", c)), "the token has expired");
        Map<String, Object> justNow = idpClaims();
        justNow.put("iat", now - 100);
        justNow.put("exp", now - 1); // within the skew
        assertEquals(200, call(TestTokens.rs256(rsa.getPrivate(), "rsa-1", justNow)).status());
    }

    @Test
    void notYetValidIsRefused() throws IOException {
        Map<String, Object> c = idpClaims();
        c.put("nbf", Instant.now().getEpochSecond() + 600);
        assertRefused(call(TestTokens.rs256(rsa.getPrivate(), "rsa-1", c)), "the token is not valid yet");
        Map<String, Object> future = idpClaims();
        future.put("iat", Instant.now().getEpochSecond() + 600);
        assertRefused(call(TestTokens.rs256(rsa.getPrivate(), "rsa-1", future)), "the token is not valid yet");
    }

    @Test
    void aTokenWithoutExpiryIsRefused() throws IOException {
        Map<String, Object> c = TestTokens.claims(HS_ISS, "1");
        c.remove("exp");
        assertRefused(call(TestTokens.hs256(c)), "the token has no expiry");
    }

    @Test
    void wrongIssuerIsRefused() throws IOException {
        // Signed with the demo secret, but claiming to come from an issuer nobody configured...
        assertRefused(call(TestTokens.hs256(TestTokens.claims("evil", "1"))), "the token's issuer is not trusted");
        // ... or from none at all ...
        Map<String, Object> noIss = TestTokens.claims(HS_ISS, "1");
        noIss.remove("iss");
        assertRefused(call(TestTokens.hs256(noIss)), "the token's issuer is not trusted");
        // ... or from the idp, whose keys the HMAC secret is not: the issuer decides the key.
        Map<String, Object> asIdp = idpClaims();
        assertRefused(call(TestTokens.hs256(asIdp)), "the token's algorithm is not accepted");
    }

    @Test
    void wrongAudienceIsRefused() throws IOException {
        Map<String, Object> c = idpClaims();
        c.put("aud", List.of("billing", "reports"));
        assertRefused(call(TestTokens.rs256(rsa.getPrivate(), "rsa-1", c)), "the token is not meant for this service");
        Map<String, Object> none = idpClaims();
        none.remove("aud");
        assertRefused(call(TestTokens.rs256(rsa.getPrivate(), "rsa-1", none)), "the token is not meant for this service");
        Map<String, Object> listed = idpClaims();
        listed.put("aud", List.of("billing", "concierge"));
        assertEquals(200, call(TestTokens.rs256(rsa.getPrivate(), "rsa-1", listed)).status());
    }

    @Test
    void tamperedPayloadIsRefused() throws IOException {
        String token = TestTokens.hs256(TestTokens.claims(HS_ISS, "1", "customer"));
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + TestTokens.part(TestTokens.claims(HS_ISS, "1", "admin")) + "." + parts[2];
        assertRefused(call(forged), "the token's signature is not valid");
        String rs = TestTokens.rs256(rsa.getPrivate(), "rsa-1", idpClaims());
        String[] rp = rs.split("\\.");
        Map<String, Object> admin = idpClaims();
        admin.put("roles", List.of("admin"));
        assertRefused(call(rp[0] + "." + TestTokens.part(admin) + "." + rp[2]), "the token's signature is not valid");
    }

    @Test
    void truncatedAndMalformedTokensAreRefused() throws IOException {
        String token = TestTokens.hs256(TestTokens.claims(HS_ISS, "1"));
        String[] parts = token.split("\\.");
        assertRefused(call(parts[0] + "." + parts[1]), "the bearer token is not a well-formed JWT");
        assertRefused(call(parts[0] + "." + parts[1] + "."), "the token's signature is not valid");
        assertRefused(call(token.substring(0, token.length() - 5)), "the token's signature is not valid");
        assertRefused(call(parts[0]), "the bearer token is not a well-formed JWT");
        assertRefused(call("not-a-jwt"), "the bearer token is not a well-formed JWT");
        assertRefused(call("a.b.c"), "the bearer token is not a well-formed JWT");
        assertRefused(call(TestTokens.B64.encodeToString("[1]".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + "." + parts[2]),
                "the bearer token is not a well-formed JWT");
        Map<String, Object> badExp = TestTokens.claims(HS_ISS, "1");
        badExp.put("exp", "tomorrow");
        WireResponse r = call(TestTokens.hs256(badExp));
        assertEquals(401, r.status(), r.toString());
    }

    @Test
    void aKidTheIssuerNeverPublishedIsRefused() throws IOException {
        assertRefused(call(TestTokens.rs256(rsa.getPrivate(), "rsa-unknown", idpClaims())), "the token's signing key is not known");
    }

    @Test
    void theTokenIsNeverLoggedNorEchoed() throws IOException {
        String token = TestTokens.hs256(TestTokens.claims("evil", "1"));
        WireResponse r = call(token);
        assertEquals(401, r.status());
        assertTrue(!r.bodyText().contains(token.substring(0, 20)), r.bodyText());
        assertTrue(String.join("", r.headers("WWW-Authenticate")).indexOf(token.substring(0, 20)) < 0);
    }
}
