package io.concierge.gateway.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * JWS signature checks on the JDK's own providers. Helidon's {@code Jwk.verifySignature} verifies
 * with the algorithm the JWK declares (RS256 when it declares none) and has no RSASSA-PSS at all,
 * while an issuer here may sign PS256 and keys often declare no {@code alg}; so the algorithm is
 * chosen here from the token header, after it was checked against the issuer's allow-list and
 * the key's type.
 */
final class Signatures {
    private Signatures() {
    }

    static boolean verifyHmac(JwtAlgorithm alg, byte[] secret, byte[] signedBytes, byte[] signature) {
        try {
            Mac mac = Mac.getInstance(alg.javaName());
            mac.init(new SecretKeySpec(secret, alg.javaName()));
            // Constant time, so the response time does not reveal how much of a forged MAC matched.
            return MessageDigest.isEqual(mac.doFinal(signedBytes), signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static boolean verify(JwtAlgorithm alg, PublicKey key, byte[] signedBytes, byte[] signature) {
        try {
            Signature s = Signature.getInstance(alg.javaName());
            if (alg.family() == JwtAlgorithm.Family.RSA_PSS) {
                s.setParameter(alg.pssParameters());
            }
            if (alg.family() == JwtAlgorithm.Family.EC && signature.length != 2 * alg.size()) {
                return false; // RFC 7518 section 3.4: R and S, each exactly as long as the curve's coordinates
            }
            s.initVerify(key);
            s.update(signedBytes);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
