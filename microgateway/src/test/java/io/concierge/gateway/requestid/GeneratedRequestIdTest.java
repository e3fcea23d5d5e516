package io.concierge.gateway.requestid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** Generated request ids are random version-4 UUIDs in the canonical form, and sane by our own rule. */
class GeneratedRequestIdTest {
    @Test
    void generatedIdsAreDistinctCanonicalVersion4Uuids() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIds.generate();
            UUID u = UUID.fromString(id);
            assertEquals(id, u.toString(), "canonical lower-case form");
            assertEquals(4, u.version());
            assertEquals(2, u.variant());
            assertTrue(RequestIds.isSane(id));
            assertTrue(seen.add(id), "duplicate " + id);
        }
    }
}
