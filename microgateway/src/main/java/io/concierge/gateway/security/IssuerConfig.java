package io.concierge.gateway.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.concierge.gateway.config.ConfigNode;

/**
 * One token issuer the gateway trusts: which {@code iss} it writes, which algorithms it may use
 * and where its keys come from: a shared secret (HS*) or a JWKS URL (RS*, PS*, ES*), never both,
 * so an RSA public key can never end up as an HMAC secret (algorithm confusion).
 *
 * @param name        the key under {@code security.jwt.issuers}, for logs and health
 * @param issuer      the exact {@code iss} value; required
 * @param algorithms  explicit allow-list; required
 * @param secret      HMAC key (the UTF-8 bytes of {@code secret}), or null
 * @param jwks        where the public keys are, or null
 * @param audiences   when non-empty the token's {@code aud} must name at least one (default: not checked)
 * @param clockSkew   tolerance for {@code exp}, {@code nbf}, {@code iat} (default 30s)
 * @param requireExp  a token without {@code exp} is refused (default true)
 * @param rolesClaim  claim with the roles, an array or a space/comma separated string (default {@code roles})
 * @param scopesClaim claim with the scopes, a space separated string or an array (default {@code scope})
 */
public record IssuerConfig(String name, String issuer, Set<JwtAlgorithm> algorithms, Secret secret, JwksConfig jwks,
                           List<String> audiences, Duration clockSkew, boolean requireExp, String rolesClaim,
                           String scopesClaim) {

    static IssuerConfig read(String name, ConfigNode node) {
        String issuer = node.requiredString("issuer");
        List<String> algNames = node.stringList("algorithms");
        if (algNames.isEmpty()) {
            throw node.error("algorithms", "is required: list the algorithms this issuer may use (" + JwtAlgorithm.ALLOWED + ")");
        }
        Set<JwtAlgorithm> algorithms = EnumSet.noneOf(JwtAlgorithm.class);
        for (int i = 0; i < algNames.size(); i++) {
            String a = algNames.get(i);
            JwtAlgorithm alg = JwtAlgorithm.parseConfig(a);
            if (alg == null) {
                String why = a.trim().equalsIgnoreCase("none") ? "unsigned tokens are never accepted"
                        : "unknown algorithm";
                throw node.error("algorithms[" + i + "]", why + " '" + a + "' (allowed: " + JwtAlgorithm.ALLOWED + ")");
            }
            algorithms.add(alg);
        }
        String secretText = node.string("secret", null);
        boolean hasJwks = node.has("jwks");
        if ((secretText == null) == !hasJwks) {
            throw node.error("either 'secret' (HS256/384/512) or 'jwks' (RS/PS/ES) is required, and not both");
        }
        Secret secret = null;
        JwksConfig jwks = null;
        if (secretText != null) {
            secret = new Secret(secretText.getBytes(StandardCharsets.UTF_8));
            for (JwtAlgorithm a : algorithms) {
                if (!a.symmetric()) {
                    throw node.error("algorithms", a + " needs public keys (jwks); an issuer with a secret allows only HS256/384/512");
                }
                if (secret.length() < a.size()) {
                    // RFC 7518 section 3.2: an HMAC key must be at least as long as the hash.
                    throw node.error("secret", a + " needs a secret of at least " + a.size() + " bytes (was "
                            + secret.length() + ")");
                }
            }
        } else {
            for (JwtAlgorithm a : algorithms) {
                if (a.symmetric()) {
                    throw node.error("algorithms", a + " needs a shared secret; an issuer with jwks allows only RS/PS/ES algorithms");
                }
            }
            jwks = JwksConfig.read(node.object("jwks"));
        }
        List<String> audiences = new ArrayList<>(node.stringList("audiences"));
        Duration skew = node.duration("clock-skew", Duration.ofSeconds(30));
        if (skew.compareTo(Duration.ofMinutes(10)) > 0) {
            throw node.error("clock-skew", "must be at most 10m");
        }
        IssuerConfig c = new IssuerConfig(name, issuer, Set.copyOf(algorithms), secret, jwks, List.copyOf(audiences), skew,
                node.bool("require-exp", true), claimName(node, "roles-claim", "roles"),
                claimName(node, "scopes-claim", "scope"));
        node.rejectUnknownKeys();
        return c;
    }

    private static String claimName(ConfigNode node, String key, String def) {
        String v = node.string(key, def);
        if (v.isBlank()) {
            throw node.error(key, "must not be empty");
        }
        return v;
    }
}
