package io.concierge.edge;

import java.util.List;
import java.util.Map;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.discovery.Registration;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * edge.yaml's {@code domains}: with the list, a registration whose domain is not listed or that
 * claims a prefix outside its domain's never enters the dispatch table (so it is never dispatched
 * to) and is counted once; without it every claim counts as before.
 */
class AllowedPrefixesTest {
    private static EdgeConfig config(String extra) {
        return EdgeConfig.parse("edge.yaml", """
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                discovery: {type: static}
                """ + extra, k -> null);
    }

    private static Registration gateway(String id, String domain, String... prefixes) {
        return new Registration(id, domain, List.of(prefixes), "127.0.0.1", 8201, 9201, 1L, Map.of());
    }

    private static Map<String, String> claims(PrefixDispatcher d) {
        Map<String, String> m = new java.util.TreeMap<>();
        for (DispatchTable.Claim c : d.table().claims()) {
            m.put(c.prefix(), c.domain());
        }
        return m;
    }

    @Test
    void onlyListedDomainsClaimingTheirOwnPrefixesAreDispatchedTo() {
        PrefixDispatcher d = new PrefixDispatcher(config("""
                domains:
                  orders: {prefixes: [/api/orders]}
                  payments: {prefixes: [/api/payments]}
                """));
        try {
            List<Registration> regs = List.of(
                    gateway("orders-1", "orders", "/api/orders"),
                    gateway("orders-sub", "orders", "/api/orders/export"),
                    gateway("hijack-1", "orders", "/api/orders", "/api/payments"),
                    gateway("stranger-1", "stranger", "/api/stranger"));
            d.update(regs);
            d.update(regs); // seen again: counted once
            assertEquals(Map.of("/api/orders", "orders", "/api/orders/export", "orders"), claims(d));
            assertEquals(List.of("orders-1", "orders-sub"),
                    d.table().instances("orders").stream().map(Registration::instanceId).sorted().toList());
            assertEquals(2, d.refusedRegistrations());
        } finally {
            d.close();
        }
    }

    @Test
    void withoutAListEveryWellFormedClaimCounts() {
        PrefixDispatcher d = new PrefixDispatcher(config(""));
        try {
            d.update(List.of(gateway("stranger-1", "stranger", "/api/stranger"),
                    gateway("odd-1", "odd", "/api/*"),
                    new Registration("odd-2", "odd", List.of("/api/odd"), "h/../x", 8201, 9201, 1L, Map.of())));
            assertEquals(Map.of("/api/stranger", "stranger"), claims(d));
            assertEquals(2, d.refusedRegistrations(), "malformed registrations from any discovery are refused");
        } finally {
            d.close();
        }
    }

    @Test
    void aBadEntryInTheListFailsTheLoadWithItsPath() {
        assertEquals("edge.yaml: domains.orders.prefixes[0]: a prefix is a literal path starting with '/', without a"
                        + " trailing '/', wildcards, percent-encoding or dot segments (was 'api/orders')",
                assertThrows(ConfigException.class, () -> config("domains: {orders: {prefixes: [api/orders]}}\n"))
                        .getMessage());
        assertEquals("edge.yaml: domains.Orders: must be lower-case letters, digits and '-' (was 'Orders')",
                assertThrows(ConfigException.class, () -> config("domains: {Orders: {prefixes: [/api/orders]}}\n"))
                        .getMessage());
    }
}
