package io.concierge.gateway.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * HMAC-signed tokens that verified recently, so a client repeating its token on every request
 * (the normal case) is not parsed, HMAC-checked and claim-validated again each time: that work was
 * a visible share of a request's CPU on the full policy chain (docs/benchmarks.md, issue 19).
 *
 * <p>What makes it safe: the key is the whole token, so only byte-identical tokens hit (a forged
 * signature on a cached payload is another key and is verified in full); only successes are stored,
 * never refusals; an entry ends at the token's {@code exp} (plus the issuer's clock skew, as the
 * verifier allows) and at most {@link #TTL} after it was stored; an HMAC secret comes from the
 * configuration alone, so nothing can revoke a key while an entry lives (tokens from JWKS issuers
 * are not cached: a key set can rotate a key away at any fetch). Bounded in entries and in token
 * length, so a flood of distinct tokens costs a bounded amount of memory.
 */
final class VerifiedTokens {
    static final int MAX_ENTRIES = 4096;
    static final int MAX_TOKEN_LENGTH = 2048;
    static final Duration TTL = Duration.ofSeconds(30);

    private record Entry(JwtVerifier.Result result, long untilMillis) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    VerifiedTokens() {
        this(System::currentTimeMillis);
    }

    VerifiedTokens(LongSupplier clock) {
        this.clock = clock;
    }

    /** The stored result for exactly this token while it is still valid, else null. */
    JwtVerifier.Result get(String token) {
        Entry e = entries.get(token);
        if (e == null) {
            return null;
        }
        if (clock.getAsLong() >= e.untilMillis()) {
            entries.remove(token, e);
            return null;
        }
        return e.result();
    }

    /**
     * Stores a successful verification until {@code expires} + {@code skew} (the verifier's own
     * limit) or {@link #TTL}, whichever comes first.
     */
    void put(String token, JwtVerifier.Result verified, Instant expires, Duration skew) {
        if (verified.identity() == null || token.length() > MAX_TOKEN_LENGTH) {
            return;
        }
        long now = clock.getAsLong();
        long until = now + TTL.toMillis();
        if (expires != null) {
            until = Math.min(until, expires.toEpochMilli() + skew.toMillis());
        }
        if (until <= now) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            evict(now);
        }
        entries.put(token, new Entry(verified, until));
    }

    int size() {
        return entries.size();
    }

    /** Expired entries first; then arbitrary ones down to three quarters, so eviction is rare. */
    private void evict(long now) {
        entries.values().removeIf(e -> now >= e.untilMillis());
        Iterator<String> it = entries.keySet().iterator();
        while (entries.size() > MAX_ENTRIES * 3 / 4 && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
