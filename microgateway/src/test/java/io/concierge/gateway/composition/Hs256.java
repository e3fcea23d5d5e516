package io.concierge.gateway.composition;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.ObjectMapper;

/** HS256 tokens for composition tests, built from parts here so nothing is shared with the verifier. */
final class Hs256 {
    static final String SECRET = "composition-test-secret-0123456789abcdef";
    static final String ISSUER = "composition-test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Hs256() {
    }

    /** A valid token for {@code subject} with {@code roles}, signed with {@link #SECRET}. */
    static String token(String subject, String... roles) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("roles", List.of(roles));
        claims.put("iat", Instant.now().getEpochSecond());
        claims.put("exp", Instant.now().plusSeconds(600).getEpochSecond());
        try {
            String input = B64.encodeToString(JSON.writeValueAsBytes(Map.of("alg", "HS256", "typ", "JWT"))) + "."
                    + B64.encodeToString(JSON.writeValueAsBytes(claims));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code security} section that trusts these tokens and the loopback proxy. */
    static String securityYaml() {
        return """
                security:
                  trusted-proxies: [127.0.0.1]
                  jwt:
                    issuers:
                      test: {issuer: %s, algorithms: [HS256], secret: %s}
                """.formatted(ISSUER, SECRET);
    }
}
