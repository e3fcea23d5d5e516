package io.concierge.demo.users;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.concierge.demo.support.JsonResponses;

/**
 * Issues HS256 JSON Web Tokens (RFC 7519) that the gateways verify with the same secret. The key
 * is the UTF-8 bytes of the secret string. Hand-rolled because HS256 is one HMAC over two
 * base64url strings and a JWT library would be the biggest dependency of this service.
 */
final class JwtIssuer {
    static final String SECRET_VARIABLE = "JWT_SECRET";
    /** The secret used when {@value #SECRET_VARIABLE} is unset; the demo contract's dev secret. */
    static final String DEV_SECRET = "dev-secret-change-me-0123456789abcdef";
    static final String ISSUER = "concierge-demo";
    static final Duration LIFETIME = Duration.ofHours(1);
    /** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
    static final int MIN_SECRET_BYTES = 32;

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String HEADER = BASE64URL.encodeToString(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final SecretKeySpec key;

    /**
     * @throws IllegalArgumentException if the secret is shorter than {@value #MIN_SECRET_BYTES}
     *                                  bytes: verifiers such as Nimbus reject such tokens, so
     *                                  the service refuses to start rather than issue them
     */
    JwtIssuer(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(SECRET_VARIABLE + " must be at least " + MIN_SECRET_BYTES
                    + " bytes for HS256 (was " + bytes.length + ")");
        }
        this.key = new SecretKeySpec(bytes, ALGORITHM);
    }

    /** {@value #SECRET_VARIABLE}, or the dev secret with a warning on standard error. */
    static String secretFromEnvironment() {
        String secret = System.getenv(SECRET_VARIABLE);
        if (secret == null || secret.isEmpty()) {
            System.err.println("WARNING: " + SECRET_VARIABLE + " is not set; users service signs tokens with the"
                    + " public development secret. Set " + SECRET_VARIABLE + " for anything but a local demo.");
            return DEV_SECRET;
        }
        return secret;
    }

    /** A token for {@code user} with claims iss, sub, roles, iat and exp = iat + {@link #LIFETIME}. */
    String issue(User user, Instant now) {
        long issuedAt = now.getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", user.id());
        claims.put("roles", user.roles());
        claims.put("iat", issuedAt);
        claims.put("exp", issuedAt + LIFETIME.toSeconds());
        String signingInput = HEADER + "." + BASE64URL.encodeToString(json(claims));
        return signingInput + "." + BASE64URL.encodeToString(sign(signingInput));
    }

    private byte[] sign(String signingInput) {
        try {
            // Mac instances are not thread-safe; a fresh one per token is cheap next to PBKDF2.
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] json(Map<String, Object> claims) {
        try {
            return JsonResponses.MAPPER.writeValueAsBytes(claims);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise JWT claims", e);
        }
    }
}
