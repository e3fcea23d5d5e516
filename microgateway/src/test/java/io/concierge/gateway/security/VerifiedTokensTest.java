package io.concierge.gateway.security;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.pipeline.Identity;

/** The cache of verified HMAC tokens: exact tokens only, successes only, never past exp or its TTL, bounded. */
class VerifiedTokensTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final VerifiedTokens tokens = new VerifiedTokens(now::get);
    private final JwtVerifier.Result alice = new JwtVerifier.Result(
            new Identity("alice", Set.of("customer"), Set.of(), null, "demo"), null, null, "demo");

    @Test
    void aStoredTokenHitsOnlyByExactBytes() {
        tokens.put("a.b.c", alice, Instant.ofEpochMilli(now.get() + 600_000), Duration.ofSeconds(30));
        assertSame(alice, tokens.get("a.b.c"));
        assertNull(tokens.get("a.b.d"), "another signature on the same payload is another token");
        assertNull(tokens.get("a.b.c "), "no normalisation");
    }

    @Test
    void refusalsAreNeverStored() {
        tokens.put("a.b.c", JwtVerifier.Result.refused(Rejection.BAD_SIGNATURE, "demo"),
                Instant.ofEpochMilli(now.get() + 600_000), Duration.ZERO);
        assertNull(tokens.get("a.b.c"));
    }

    @Test
    void anEntryEndsAtExpPlusSkew() {
        tokens.put("a.b.c", alice, Instant.ofEpochMilli(now.get() + 5_000), Duration.ofSeconds(2));
        now.addAndGet(6_999);
        assertSame(alice, tokens.get("a.b.c"), "within exp + skew, as the verifier allows");
        now.addAndGet(1);
        assertNull(tokens.get("a.b.c"), "at exp + skew the token is verified in full again (and refused)");
    }

    @Test
    void anEntryEndsAtItsTtlEvenWithoutExp() {
        tokens.put("a.b.c", alice, null, Duration.ZERO);
        now.addAndGet(VerifiedTokens.TTL.toMillis() - 1);
        assertSame(alice, tokens.get("a.b.c"));
        now.addAndGet(1);
        assertNull(tokens.get("a.b.c"));
    }

    @Test
    void anAlreadyExpiredOrOverlongTokenIsNotStored() {
        tokens.put("a.b.c", alice, Instant.ofEpochMilli(now.get() - 1), Duration.ZERO);
        assertNull(tokens.get("a.b.c"));
        String longToken = "x".repeat(VerifiedTokens.MAX_TOKEN_LENGTH + 1);
        tokens.put(longToken, alice, null, Duration.ZERO);
        assertNull(tokens.get(longToken));
    }

    @Test
    void aFloodOfDistinctTokensStaysBounded() {
        for (int i = 0; i < VerifiedTokens.MAX_ENTRIES * 3; i++) {
            tokens.put("t" + i, alice, null, Duration.ZERO);
        }
        assertTrue(tokens.size() <= VerifiedTokens.MAX_ENTRIES, "size " + tokens.size());
        assertSame(alice, tokens.get("t" + (VerifiedTokens.MAX_ENTRIES * 3 - 1)), "the newest entry is kept");
    }
}
