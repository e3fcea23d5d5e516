package io.concierge.demo.users;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JwtIssuerTest {
    private static final String SECRET = "unit-test-secret-0123456789abcdef";
    private static final User BOB = new User("2", "bob", "Bob", "bob@example.com", List.of("customer"));

    @Test
    void signsTheContractClaims() throws Exception {
        String token = new JwtIssuer(SECRET).issue(BOB, Instant.ofEpochSecond(1_800_000_000L));
        JsonNode claims = Jwts.verify(token, SECRET);
        assertEquals("concierge-demo", claims.path("iss").asText());
        assertEquals("2", claims.path("sub").asText());
        assertEquals("customer", claims.path("roles").path(0).asText());
        assertEquals(1, claims.path("roles").size());
        assertEquals(1_800_000_000L, claims.path("iat").asLong());
        assertEquals(1_800_003_600L, claims.path("exp").asLong());
    }

    @Test
    void anotherSecretDoesNotVerify() {
        String token = new JwtIssuer(SECRET).issue(BOB, Instant.now());
        assertThrows(AssertionError.class, () -> Jwts.verify(token, SECRET + "x"));
    }

    @Test
    void refusesSecretsTooShortForHs256() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new JwtIssuer("short"));
        assertEquals("JWT_SECRET must be at least 32 bytes for HS256 (was 5)", e.getMessage());
    }

    @Test
    void devSecretIsLongEnough() {
        new JwtIssuer(JwtIssuer.DEV_SECRET);
    }
}
