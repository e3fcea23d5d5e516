package io.concierge.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A request the gateway makes on a client's behalf (the cache's revalidation and background refresh)
 * must carry the same upstream header changes as the client's own: identity headers stripped, the
 * verified identity added. The changes are created lazily, so each kind is copied on its own.
 */
class UpstreamHeadersCopyTest {
    @Test
    void copiesStrippedSetsSingleRemovalsAndAdditions() {
        UpstreamHeaders source = new UpstreamHeaders();
        source.remove(StrippedHeaderNames.of(List.of("X-User-Id", "X-Roles")));
        source.remove(StrippedHeaderNames.of(List.of("X-Tenant")));
        source.remove("X-Debug");
        source.add("X-User-Id", "42");

        UpstreamHeaders copy = new UpstreamHeaders();
        source.copyTo(copy);

        assertTrue(copy.isRemoved("x-roles"));
        assertTrue(copy.isRemoved("x-tenant"));
        assertTrue(copy.isRemoved("x_debug"), "the loose comparison survives the copy");
        assertTrue(copy.isRemoved("x-user-id"));
        assertFalse(copy.isRemoved("accept"));
        assertEquals(1, copy.added().size());
        assertArrayEquals(new String[] {"X-User-Id", "42"}, copy.added().get(0));
    }

    @Test
    void anUnchangedSourceLeavesTheCopyEmpty() {
        UpstreamHeaders copy = new UpstreamHeaders();
        new UpstreamHeaders().copyTo(copy);
        assertTrue(copy.isEmpty());
    }
}
