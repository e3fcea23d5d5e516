package io.concierge.gateway.security;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

import io.concierge.gateway.pipeline.Identity;
import io.helidon.security.jwt.Jwt;
import io.helidon.security.jwt.JwtValidator;
import io.helidon.security.jwt.SignedJwt;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * Verifies bearer tokens against the configured issuers. One instance per gateway, built at
 * startup; {@link #verify} is thread-safe.
 *
 * <p>The order of checks is what defends against the known JWT attacks: the header's {@code alg}
 * must be on the issuer's explicit allow-list (so {@code none} and algorithm switching fail before
 * any key is touched); the key comes only from the issuer's own key source, and its type must fit
 * the algorithm (so an RSA public key can never be used as an HMAC secret); only then the
 * signature, and only after it the claims ({@code exp}, {@code nbf}, {@code iat}, {@code aud})
 * with the issuer's clock skew. Parsing and the claim validators are Helidon Security's
 * ({@link SignedJwt}, {@link JwtValidator}); key handling is {@link JwksCache}'s.
 */
final class JwtVerifier implements AutoCloseable {
    static final int MAX_TOKEN_LENGTH = 16 * 1024;
    private static final int MAX_CLAIM_LENGTH = 256;

    /** The outcome: an identity with its claims, or why not. */
    record Result(Identity identity, TokenClaims claims, Rejection rejection, String issuer) {
        static Result refused(Rejection r, String issuer) {
            return new Result(null, null, r, issuer);
        }
    }

    /** A successful verification and when the token expires (null: no {@code exp}). */
    private record Verified(Result result, Instant expires) {
    }

    private record Issuer(IssuerConfig config, JwksCache keys, JwtValidator expiry, JwtValidator notBefore,
                          JwtValidator audience) {
    }

    private final Map<String, Issuer> byIss = new HashMap<>();
    private final VerifiedTokens verified = new VerifiedTokens();
    private final Set<String> ownerClaims;

    /** @param ownerClaims claims that routes compare with parameters; copied into {@link TokenClaims} */
    JwtVerifier(Map<String, IssuerConfig> issuers, Set<String> ownerClaims, SecurityStats stats,
                ScheduledExecutorService scheduler) {
        this.ownerClaims = Set.copyOf(ownerClaims);
        for (IssuerConfig c : issuers.values()) {
            JwksCache cache = null;
            if (c.jwks() != null) {
                cache = new JwksCache(c.name(), c.jwks(), stats);
                cache.start(scheduler);
            }
            JwtValidator expiry = JwtValidator.builder()
                    .addExpirationValidator(b -> b.allowedTimeSkew(c.clockSkew()).mandatory(c.requireExp()))
                    .build();
            JwtValidator notBefore = JwtValidator.builder()
                    .addNotBeforeValidator(b -> b.allowedTimeSkew(c.clockSkew()).mandatory(false))
                    .addIssueTimeValidator(b -> b.allowedTimeSkew(c.clockSkew()).mandatory(false))
                    .build();
            JwtValidator audience = c.audiences().isEmpty() ? null
                    : JwtValidator.builder().addAudienceValidator(Set.copyOf(c.audiences())).build();
            byIss.put(c.issuer(), new Issuer(c, cache, expiry, notBefore, audience));
        }
    }

    boolean isEmpty() {
        return byIss.isEmpty();
    }

    Result verify(String token) {
        Result hit = verified.get(token);
        return hit != null ? hit : verifyInFull(token);
    }

    private Result verifyInFull(String token) {
        if (token.length() > MAX_TOKEN_LENGTH) {
            return Result.refused(Rejection.MALFORMED_TOKEN, null);
        }
        SignedJwt signed;
        Jwt jwt;
        try {
            signed = SignedJwt.parseToken(token);
            jwt = signed.getJwt();
        } catch (RuntimeException e) {
            // Never log e's message: Helidon quotes the token in it.
            return Result.refused(Rejection.MALFORMED_TOKEN, null);
        }
        String algText = jwt.algorithm().orElse(null);
        JwtAlgorithm alg = JwtAlgorithm.of(algText);
        if (alg == null) {
            // "none", "None", "HS256 " and every other spelling end here, before any key is looked at.
            return Result.refused(algText == null ? Rejection.MALFORMED_TOKEN : Rejection.ALGORITHM_NOT_ALLOWED, null);
        }
        if (jwt.headerClaim("crit").isPresent()) {
            // RFC 7515 section 4.1.11: extensions we do not understand must not be ignored.
            return Result.refused(Rejection.BAD_CLAIMS, null);
        }
        Issuer issuer = jwt.issuer().map(byIss::get).orElse(null);
        if (issuer == null) {
            return Result.refused(Rejection.UNKNOWN_ISSUER, null);
        }
        String name = issuer.config().name();
        if (!issuer.config().algorithms().contains(alg)) {
            return Result.refused(Rejection.ALGORITHM_NOT_ALLOWED, name);
        }
        boolean valid;
        if (alg.symmetric()) {
            // The config allows HS* only for issuers with a secret, so the secret exists here.
            valid = Signatures.verifyHmac(alg, issuer.config().secret().bytes(), signed.getSignedBytes(),
                    signed.getSignature());
        } else {
            JwksCache.Lookup lookup = issuer.keys().find(jwt.keyId().orElse(null), alg);
            if (lookup.status() == JwksCache.Status.UNAVAILABLE) {
                return Result.refused(Rejection.KEYS_UNAVAILABLE, name);
            }
            if (lookup.status() == JwksCache.Status.UNKNOWN_KEY) {
                return Result.refused(Rejection.UNKNOWN_KEY, name);
            }
            valid = Signatures.verify(alg, lookup.key().key(), signed.getSignedBytes(), signed.getSignature());
        }
        if (!valid) {
            return Result.refused(Rejection.BAD_SIGNATURE, name);
        }
        Verified v = checkClaims(issuer, jwt);
        if (alg.symmetric()) {
            verified.put(token, v.result(), v.expires(), issuer.config().clockSkew());
        }
        return v.result();
    }

    private Verified checkClaims(Issuer issuer, Jwt jwt) {
        IssuerConfig c = issuer.config();
        String name = c.name();
        Optional<Instant> exp = jwt.expirationTime();
        if (exp.isEmpty() && c.requireExp()) {
            return refusedClaims(Rejection.MISSING_EXPIRY, name);
        }
        if (!issuer.expiry().validate(jwt).isValid()) {
            return refusedClaims(Rejection.EXPIRED, name);
        }
        if (!issuer.notBefore().validate(jwt).isValid()) {
            return refusedClaims(Rejection.NOT_YET_VALID, name);
        }
        if (issuer.audience() != null && !issuer.audience().validate(jwt).isValid()) {
            return refusedClaims(Rejection.WRONG_AUDIENCE, name);
        }
        String subject = jwt.subject().orElse(null);
        if (!printable(subject)) {
            return refusedClaims(Rejection.BAD_CLAIMS, name);
        }
        Set<String> roles = names(jwt.payloadClaim(c.rolesClaim()));
        Set<String> scopes = names(jwt.payloadClaim(c.scopesClaim()));
        if (roles == null || scopes == null) {
            return refusedClaims(Rejection.BAD_CLAIMS, name);
        }
        Map<String, String> claims = new HashMap<>();
        for (String claim : ownerClaims) {
            String v = claim.equals("sub") ? subject : text(jwt.payloadClaim(claim).orElse(null));
            if (v != null) {
                claims.put(claim, v);
            }
        }
        return new Verified(new Result(new Identity(subject, roles, scopes, null, name),
                new TokenClaims(Map.copyOf(claims)), null, name), exp.orElse(null));
    }

    private static Verified refusedClaims(Rejection r, String issuer) {
        return new Verified(Result.refused(r, issuer), null);
    }

    /** A string claim that can travel in a header: printable ASCII, no control characters. */
    private static boolean printable(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_CLAIM_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 || ch >= 0x7F) {
                return false;
            }
        }
        return true;
    }

    /**
     * Roles or scopes: an array of strings, or one string separated by spaces (OAuth {@code scope})
     * or commas.
     *
     * @return the names (empty when the claim is absent), or null when the claim is malformed
     */
    private static Set<String> names(Optional<JsonValue> claim) {
        if (claim.isEmpty()) {
            return Set.of();
        }
        List<String> raw = new ArrayList<>();
        JsonValue v = claim.get();
        if (v instanceof JsonString s) {
            for (String part : s.getString().split("[ ,]+")) {
                if (!part.isEmpty()) {
                    raw.add(part);
                }
            }
        } else if (v instanceof JsonArray a) {
            if (a.size() > 256) {
                return null;
            }
            for (JsonValue item : a) {
                if (!(item instanceof JsonString s)) {
                    return null;
                }
                raw.add(s.getString());
            }
        } else {
            return null;
        }
        Set<String> result = new LinkedHashSet<>();
        for (String r : raw) {
            if (!Names.valid(r)) {
                return null;
            }
            result.add(r);
        }
        return Set.copyOf(result);
    }

    private static String text(JsonValue v) {
        if (v instanceof JsonString s) {
            return s.getString();
        }
        if (v instanceof JsonNumber n) {
            return n.toString();
        }
        return null;
    }

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Issuer i : byIss.values()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("issuer", i.config().issuer());
            d.put("algorithms", i.config().algorithms().stream().map(Enum::name).sorted().toList());
            if (i.keys() != null) {
                d.put("jwks", i.keys().describe());
            }
            m.put(i.config().name(), d);
        }
        return m;
    }

    @Override
    public void close() {
        for (Issuer i : byIss.values()) {
            if (i.keys() != null) {
                i.keys().close();
            }
        }
    }
}
