package io.concierge.demo.users;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordHashTest {
    @Test
    void matchesOnlyTheHashedPassword() {
        PasswordHash hash = PasswordHash.of("alice-pw");
        assertTrue(hash.matches("alice-pw"));
        assertFalse(hash.matches("alice-pw "));
        assertFalse(hash.matches("Alice-pw"));
        assertFalse(hash.matches(""));
    }
}
