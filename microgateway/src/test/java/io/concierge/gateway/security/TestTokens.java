package io.concierge.gateway.security;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Builds JWTs in tests from parts, with keys generated here: nothing is shared with the code under
 * test except the wire format, so a bug in the verifier cannot be mirrored by the token builder.
 */
final class TestTokens {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    static final String SECRET = "test-secret-0123456789abcdef-0123456789";

    private TestTokens() {
    }

    static KeyPair rsa() {
        return generate("RSA", 2048);
    }

    static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate(String alg, int size) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
            g.initialize(size);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Standard claims for {@code sub}, valid for an hour from now. */
    static Map<String, Object> claims(String iss, String sub, String... roles) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", iss);
        c.put("sub", sub);
        c.put("roles", List.of(roles));
        c.put("iat", now);
        c.put("exp", now + 3600);
        return c;
    }

    static Map<String, Object> header(String alg, String kid) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alg", alg);
        h.put("typ", "JWT");
        if (kid != null) {
            h.put("kid", kid);
        }
        return h;
    }

    static String signingInput(Map<String, Object> header, Map<String, Object> claims) {
        return part(header) + "." + part(claims);
    }

    static String part(Object json) {
        try {
            return B64.encodeToString(JSON.writeValueAsBytes(json));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String hs(String alg, byte[] key, Map<String, Object> header, Map<String, Object> claims) {
        String input = signingInput(header, claims);
        return input + "." + B64.encodeToString(hmac(alg, key, input));
    }

    static String hs256(Map<String, Object> claims) {
        return hs("HmacSHA256", SECRET.getBytes(StandardCharsets.UTF_8), header("HS256", null), claims);
    }

    static byte[] hmac(String javaAlg, byte[] key, String input) {
        try {
            Mac mac = Mac.getInstance(javaAlg);
            mac.init(new SecretKeySpec(key, javaAlg));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String rs256(PrivateKey key, String kid, Map<String, Object> claims) {
        return sign("RS256", "SHA256withRSA", null, key, kid, claims);
    }

    static String ps256(PrivateKey key, String kid, Map<String, Object> claims) {
        return sign("PS256", "RSASSA-PSS", new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1),
                key, kid, claims);
    }

    static String es256(PrivateKey key, String kid, Map<String, Object> claims) {
        return sign("ES256", "SHA256withECDSAinP1363Format", null, key, kid, claims);
    }

    static String sign(String alg, String javaAlg, PSSParameterSpec pss, PrivateKey key, String kid,
                       Map<String, Object> claims) {
        String input = signingInput(header(alg, kid), claims);
        try {
            Signature s = Signature.getInstance(javaAlg);
            if (pss != null) {
                s.setParameter(pss);
            }
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A public JWK for the key, with {@code alg} when not null. */
    static Map<String, Object> jwk(KeyPair pair, String kid, String alg) {
        Map<String, Object> k = new LinkedHashMap<>();
        if (pair.getPublic() instanceof RSAPublicKey rsa) {
            k.put("kty", "RSA");
            k.put("n", unsigned(rsa.getModulus(), 0));
            k.put("e", unsigned(rsa.getPublicExponent(), 0));
        } else if (pair.getPublic() instanceof ECPublicKey ec) {
            k.put("kty", "EC");
            k.put("crv", "P-256");
            k.put("x", unsigned(ec.getW().getAffineX(), 32));
            k.put("y", unsigned(ec.getW().getAffineY(), 32));
        }
        k.put("kid", kid);
        k.put("use", "sig");
        if (alg != null) {
            k.put("alg", alg);
        }
        return k;
    }

    private static String unsigned(BigInteger v, int length) {
        byte[] b = v.toByteArray();
        if (b.length > 1 && b[0] == 0) {
            b = Arrays.copyOfRange(b, 1, b.length);
        }
        if (length > b.length) {
            byte[] padded = new byte[length];
            System.arraycopy(b, 0, padded, length - b.length, b.length);
            b = padded;
        }
        return B64.encodeToString(b);
    }
}
