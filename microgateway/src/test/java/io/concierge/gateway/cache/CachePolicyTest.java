package io.concierge.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;

import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;

/** RFC 9111's shared-cache rules, without a socket. */
class CachePolicyTest {
    private static final CachePolicy ON = new CachePolicy(RouteCacheConfig.OFF.withEnabled(true));

    private static WritableHeaders<?> headers(String... nameValues) {
        WritableHeaders<?> h = WritableHeaders.create();
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(HeaderNames.create(nameValues[i]), nameValues[i + 1]);
        }
        return h;
    }

    private static String reason(CachePolicy p, int status, boolean authorization, String... nameValues) {
        WritableHeaders<?> h = headers(nameValues);
        return p.notStorable(status, h, CacheControl.NONE,
                CacheControl.parse(h.all(HeaderNames.CACHE_CONTROL, java.util.List::of)), authorization);
    }

    @Test
    void sharedCacheStorabilityRules() {
        assertNull(reason(ON, 200, false, "Cache-Control", "max-age=30"));
        assertEquals("no-store", reason(ON, 200, false, "Cache-Control", "no-store, max-age=30"));
        assertEquals("private", reason(ON, 200, false, "Cache-Control", "private, max-age=30"));
        assertEquals("set-cookie", reason(ON, 200, false, "Cache-Control", "max-age=30", "Set-Cookie", "a=1"));
        assertEquals("status", reason(ON, 500, false, "Cache-Control", "max-age=30"));
        assertEquals("status", reason(ON, 206, false, "Cache-Control", "max-age=30"));
        assertEquals("vary", reason(ON, 200, false, "Cache-Control", "max-age=30", "Vary", "*"));
        assertNull(reason(ON, 404, false, "Cache-Control", "max-age=30"));
    }

    @Test
    void anAuthorizedRequestIsStoredOnlyWhenTheResponseAllowsItOrTheRouteKeysByIdentity() {
        assertEquals("authorization", reason(ON, 200, true, "Cache-Control", "max-age=30"));
        assertNull(reason(ON, 200, true, "Cache-Control", "public, max-age=30"));
        assertNull(reason(ON, 200, true, "Cache-Control", "s-maxage=30"));
        assertNull(reason(ON, 200, true, "Cache-Control", "max-age=30, must-revalidate"));
        RouteCacheConfig byId = new RouteCacheConfig(true, RouteCacheConfig.DEFAULT_STATUSES, 1024, null,
                Duration.ZERO, Duration.ZERO, true, false, Duration.ofSeconds(1));
        assertNull(reason(new CachePolicy(byId), 200, true, "Cache-Control", "max-age=30"));
    }

    @Test
    void freshnessFromSMaxAgeThenMaxAgeThenExpiresAndHeuristicOnlyWhenConfigured() {
        long now = 1_000_000_000_000L;
        assertEquals(60_000, ON.lifetimeMillis(200, headers(), CacheControl.parse("max-age=30, s-maxage=60"), now));
        assertEquals(30_000, ON.lifetimeMillis(200, headers(), CacheControl.parse("max-age=30"), now));
        String expires = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(now + 45_000)
                .atOffset(ZoneOffset.UTC));
        assertEquals(45_000, ON.lifetimeMillis(200, headers("Expires", expires), CacheControl.NONE, now));
        assertEquals(0, ON.lifetimeMillis(200, headers("Expires", "0"), CacheControl.NONE, now));
        assertEquals(0, ON.lifetimeMillis(200, headers(), CacheControl.NONE, now), "no heuristic unless configured");
        CachePolicy heuristic = new CachePolicy(new RouteCacheConfig(true, RouteCacheConfig.DEFAULT_STATUSES, 1024,
                Duration.ofSeconds(10), Duration.ZERO, Duration.ZERO, false, false, Duration.ofSeconds(1)));
        assertEquals(10_000, heuristic.lifetimeMillis(200, headers(), CacheControl.NONE, now));
        assertEquals(0, ON.lifetimeMillis(200, headers(), CacheControl.parse("no-cache, max-age=30"), now));
    }

    @Test
    void varyNamesAreNormalisedAndBounded() {
        assertArrayEquals(new String[] {"accept", "accept-language"},
                CachePolicy.varyNames(headers("Vary", "Accept-Language, accept", "Vary", "Accept")));
        assertNull(CachePolicy.varyNames(headers("Vary", "a, *")));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            many.append("h").append(i).append(", ");
        }
        assertNull(CachePolicy.varyNames(headers("Vary", many.toString())), "a huge Vary list is never stored");
    }

    @Test
    void ageAndStaleness() {
        StoredResponse r = new StoredResponse(false, 200, new String[0], new byte[0], 1000, 2000, 5000, 30_000, 0,
                0, false, null, null, new String[0], new String[0]);
        assertEquals(5000, r.ageMillis(2000));
        assertEquals(15_000, r.ageMillis(12_000));
        assertTrue(CachePolicy.fresh(r, CacheControl.NONE, 12_000));
        assertFalse(CachePolicy.fresh(r, CacheControl.NONE, 27_000));
        assertFalse(CachePolicy.fresh(r, CacheControl.parse("max-age=10"), 12_000), "the client's max-age");
        assertTrue(CachePolicy.fresh(r, CacheControl.parse("max-stale=10"), 27_000));
    }

    @Test
    void anEntryRoundTripsThroughItsEncoding() {
        StoredResponse r = new StoredResponse(false, 203, new String[] {"Content-Type", "text/plain", "ETag", "\"x\""},
                "body".getBytes(), 1, 2, 3, 4, 5, 6, true, "\"x\"", null, new String[] {"accept"},
                new String[] {"t1", "t2"});
        StoredResponse back = StoredResponse.decode(r.encode());
        assertEquals(203, back.status());
        assertArrayEquals(r.headers(), back.headers());
        assertArrayEquals(r.body(), back.body());
        assertEquals("\"x\"", back.etag());
        assertNull(back.lastModified());
        assertArrayEquals(r.tags(), back.tags());
        assertTrue(back.mustRevalidate());
        assertNull(StoredResponse.decode(new byte[] {9, 9, 9}), "unreadable bytes are a miss, not an error");
    }

    @Test
    void clientValidatorsMatchWeakly() {
        assertTrue(Validators.matchesAny("\"a\", W/\"b\"", "\"b\""));
        assertTrue(Validators.matchesAny("*", "\"b\""));
        assertFalse(Validators.matchesAny("\"a,b\"", "\"b\""));
    }
}
