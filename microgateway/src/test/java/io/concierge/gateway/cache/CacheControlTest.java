package io.concierge.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class CacheControlTest {

    @Test
    void readsTheDirectivesASharedCacheUses() {
        CacheControl cc = CacheControl.parse("public, max-age=30, s-maxage=60, stale-if-error=300, "
                + "stale-while-revalidate=5, must-revalidate");
        assertTrue(cc.isPublic());
        assertEquals(30, cc.maxAge());
        assertEquals(60, cc.sMaxAge());
        assertEquals(300, cc.staleIfError());
        assertEquals(5, cc.staleWhileRevalidate());
        assertTrue(cc.mustRevalidate());
        assertFalse(cc.noStore());
    }

    @Test
    void namesAreCaseInsensitiveAndSeveralFieldLinesAreOneList() {
        CacheControl cc = CacheControl.parse(List.of("No-Store", "PRIVATE=\"Set-Cookie\", Max-Age=\"7\""));
        assertTrue(cc.noStore());
        assertTrue(cc.isPrivate());
        assertEquals(7, cc.maxAge());
    }

    @Test
    void anInvalidMaxAgeMakesTheResponseStaleAndTheFirstValueWins() {
        assertEquals(0, CacheControl.parse("max-age=abc").maxAge());
        assertEquals(0, CacheControl.parse("max-age=10x").maxAge());
        assertEquals(10, CacheControl.parse("max-age=10, max-age=99").maxAge());
        assertEquals(-1, CacheControl.parse("max-age").maxAge(), "a directive without its value is ignored");
    }

    @Test
    void hostileValuesParseWithoutFailing() {
        CacheControl cc = CacheControl.parse(",,, =, ==\"\", \"unterminated, max-age=99999999999999999999999, "
                + "no-cache=\"a,b\", \u0000\u00ff, " + "x".repeat(10_000));
        assertEquals(1L << 31, cc.maxAge(), "delta-seconds are capped (RFC 9111 section 1.2.2)");
        assertTrue(cc.noCache());
        CacheControl.parse("\"");
        CacheControl.parse("=");
        CacheControl.parse("max-age=\"");
    }

    @Test
    void requestDirectives() {
        CacheControl cc = CacheControl.parse("max-stale, min-fresh=5, only-if-cached");
        assertTrue(cc.maxStale() > 1_000_000);
        assertEquals(5, cc.minFresh());
        assertTrue(cc.onlyIfCached());
        assertEquals(CacheControl.NONE, CacheControl.parse(List.of()));
    }
}
