package io.concierge.demo.users;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import io.concierge.demo.support.ServiceClient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Verifies tokens the way a gateway would, independently of {@link JwtIssuer}'s code. */
final class Jwts {
    private Jwts() {
    }

    /** Checks header and HS256 signature against {@code secret}; returns the claims. */
    static JsonNode verify(String token, String secret) throws GeneralSecurityException {
        String[] parts = token.split("\\.", -1);
        assertEquals(3, parts.length, "header.payload.signature");
        for (String part : parts) {
            assertTrue(part.matches("[A-Za-z0-9_-]+"), "base64url without padding: " + part);
        }
        JsonNode header = ServiceClient.parse(decode(parts[0]));
        assertEquals("HS256", header.path("alg").asText());
        assertEquals("JWT", header.path("typ").asText());

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(parts[2])), "signature verifies");
        return ServiceClient.parse(decode(parts[1]));
    }

    private static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }
}
