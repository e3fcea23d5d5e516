package io.concierge.gateway.security;

import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Locale;

/**
 * The JWS algorithms an issuer may allow (RFC 7518 section 3). {@code none} is deliberately not
 * among them: an unsigned token can never be configured as acceptable.
 */
enum JwtAlgorithm {
    HS256(Family.HMAC, "HmacSHA256", 32), HS384(Family.HMAC, "HmacSHA384", 48), HS512(Family.HMAC, "HmacSHA512", 64),
    RS256(Family.RSA, "SHA256withRSA", 32), RS384(Family.RSA, "SHA384withRSA", 48), RS512(Family.RSA, "SHA512withRSA", 64),
    PS256(Family.RSA_PSS, "RSASSA-PSS", 32), PS384(Family.RSA_PSS, "RSASSA-PSS", 48), PS512(Family.RSA_PSS, "RSASSA-PSS", 64),
    ES256(Family.EC, "SHA256withECDSAinP1363Format", 32), ES384(Family.EC, "SHA384withECDSAinP1363Format", 48),
    ES512(Family.EC, "SHA512withECDSAinP1363Format", 66);

    /** Which kind of key verifies it. */
    enum Family { HMAC, RSA, RSA_PSS, EC }

    static final String ALLOWED = "HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512";

    private final Family family;
    private final String javaName;
    private final int size;

    JwtAlgorithm(Family family, String javaName, int size) {
        this.family = family;
        this.javaName = javaName;
        this.size = size;
    }

    Family family() {
        return family;
    }

    boolean symmetric() {
        return family == Family.HMAC;
    }

    /** JCA name of the MAC or signature. */
    String javaName() {
        return javaName;
    }

    /** HMAC: minimum key bytes (RFC 7518 section 3.2: at least the hash size); EC: coordinate bytes of the curve. */
    int size() {
        return size;
    }

    /** RFC 7518 section 3.5: MGF1 with the same hash, salt as long as the hash, trailer 1. */
    PSSParameterSpec pssParameters() {
        return switch (this) {
            case PS256 -> new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
            case PS384 -> new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 48, 1);
            case PS512 -> new PSSParameterSpec("SHA-512", "MGF1", MGF1ParameterSpec.SHA512, 64, 1);
            default -> throw new IllegalStateException(name() + " is not RSASSA-PSS");
        };
    }

    /** @return the algorithm for a header's {@code alg} value, exact spelling only; null otherwise */
    static JwtAlgorithm of(String alg) {
        if (alg == null || alg.length() != 5) {
            return null;
        }
        for (JwtAlgorithm a : values()) {
            if (a.name().equals(alg)) {
                return a;
            }
        }
        return null;
    }

    /** For config errors: accepts any case but reports the canonical name. */
    static JwtAlgorithm parseConfig(String text) {
        return of(text.trim().toUpperCase(Locale.ROOT));
    }
}
