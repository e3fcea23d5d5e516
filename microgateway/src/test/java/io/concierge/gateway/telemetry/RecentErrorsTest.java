package io.concierge.gateway.telemetry;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ring of the last server errors: newest first, bounded, long client paths cut. */
class RecentErrorsTest {
    @Test
    void keepsTheLastTwentyNewestFirst() {
        RecentErrors errors = new RecentErrors();
        assertTrue(errors.snapshot().isEmpty());
        for (int i = 0; i < 25; i++) {
            errors.record(1_000L + i, 500 + i % 4, "GET", "/p/" + i, "req-" + i, "/p/**");
        }
        List<Map<String, Object>> s = errors.snapshot();
        assertEquals(RecentErrors.SIZE, s.size());
        assertEquals("req-24", s.get(0).get("requestId"));
        assertEquals("req-5", s.get(RecentErrors.SIZE - 1).get("requestId"));
        assertEquals("1970-01-01T00:00:01.024Z", s.get(0).get("at"));
        assertEquals(500, s.get(0).get("status"));
        assertEquals("/p/24", s.get(0).get("path"));
    }

    @Test
    void cutsLongPaths() {
        RecentErrors errors = new RecentErrors();
        errors.record(0, 502, "GET", "/" + "a".repeat(10_000), null, "unmatched");
        String path = (String) errors.snapshot().get(0).get("path");
        assertEquals(RecentErrors.MAX_PATH + 1, path.length());
    }
}
