package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.discovery.Registration;

class DispatchTableTest {
    private static Registration reg(String id, String domain, long at, String... prefixes) {
        return new Registration(id, domain, List.of(prefixes), "127.0.0.1", 1000, 0, at, Map.of());
    }

    @Test
    void longestPrefixWins() {
        DispatchTable t = DispatchTable.build(List.of(
                reg("a", "api", 1, "/api"),
                reg("b", "products", 2, "/api/products")), Map.of());
        assertEquals("products", t.owner(List.of("api", "products", "p1")));
        assertEquals("products", t.owner(List.of("api", "products")));
        assertEquals("api", t.owner(List.of("api", "productsX")));
        assertEquals("api", t.owner(List.of("api")));
        assertNull(t.owner(List.of("other")));
        assertNull(t.owner(List.of()));
    }

    @Test
    void firstRegisteredOwnerKeepsAConflictedPrefix() {
        DispatchTable t = DispatchTable.build(List.of(
                reg("late", "intruder", 200, "/api/products", "/api/intruder"),
                reg("early", "products", 100, "/api/products")), Map.of());
        assertEquals("products", t.owner(List.of("api", "products")));
        assertEquals("intruder", t.owner(List.of("api", "intruder")));
        assertEquals(1, t.conflicts().size());
        assertEquals("products", t.conflicts().get(0).owner());
        assertEquals("intruder", t.conflicts().get(0).refused());
    }

    @Test
    void rememberedDomainKeepsItsPrefixWithoutInstances() {
        DispatchTable t = DispatchTable.build(List.of(), Map.of("orders", List.of("/api/orders")));
        assertEquals("orders", t.owner(List.of("api", "orders", "o1")));
        assertEquals(List.of(), t.instances("orders"));
    }

    @Test
    void aRememberedDomainNeverTakesAPrefixFromALiveOne() {
        DispatchTable t = DispatchTable.build(List.of(reg("x", "products", 5, "/api/products")),
                Map.of("aaa-old", List.of("/api/products")));
        assertEquals("products", t.owner(List.of("api", "products")));
    }
}
