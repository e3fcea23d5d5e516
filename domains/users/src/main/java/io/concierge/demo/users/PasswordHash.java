package io.concierge.demo.users;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.KeySpec;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A salted PBKDF2-HMAC-SHA256 password hash. Even the demo keeps no plain passwords in memory
 * past start-up, so a heap dump or a careless log line cannot reveal them.
 */
final class PasswordHash {
    /*
     * Far below OWASP's 600,000 because logins run on a 2-core demo box and in every test run;
     * the point here is the shape (salted, slow, constant-time compare), not resistance to
     * offline cracking of three demo passwords that are printed in the README anyway.
     */
    private static final int ITERATIONS = 20_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(byte[] salt, byte[] hash) {
        this.salt = salt;
        this.hash = hash;
    }

    /** Hashes {@code password} with a fresh random salt. */
    static PasswordHash of(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PasswordHash(salt, derive(password, salt));
    }

    /** Compares in constant time, so response timing does not reveal how much of a guess matched. */
    boolean matches(String password) {
        return MessageDigest.isEqual(hash, derive(password, salt));
    }

    private static byte[] derive(String password, byte[] salt) {
        KeySpec spec = new PBEKeySpec(password.toCharArray(), salt, ITERATIONS, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            // Every Java SE runtime must provide PBKDF2WithHmacSHA256.
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        }
    }
}
