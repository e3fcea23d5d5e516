package io.concierge.gateway.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.hazelcast.core.HazelcastInstance;
import io.concierge.gateway.cluster.ClusterMember;
import io.concierge.gateway.config.AddressRanges;
import io.concierge.gateway.config.ClusterConfig;
import io.concierge.gateway.testing.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The embedded registry on a real Hazelcast cluster, fed what a stranger who joined the cluster
 * could write: malformed entries, entries pointing outside the trusted ranges, and entries of a
 * member outside them. None is dispatched to; each is counted once.
 */
class RegistryTrustIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final String clusterName = "trust-" + UUID.randomUUID();
    private final int basePort = Poll.freePortBlock(5);
    private HazelcastInstance a;
    private HazelcastInstance b;

    @AfterEach
    void stop() {
        for (HazelcastInstance h : new HazelcastInstance[] {b, a}) {
            if (h != null) {
                h.getLifecycleService().terminate();
            }
        }
    }

    private HazelcastInstance member(AddressRanges trusted) {
        return ClusterMember.start(new ClusterConfig(clusterName, "127.0.0.1", basePort, 5, List.of("127.0.0.1"),
                Duration.ofSeconds(3), trusted), clusterName + "-" + UUID.randomUUID());
    }

    private static Registration registration(String id, String domain, List<String> prefixes, String host) {
        return new Registration(id, domain, prefixes, host, 8201, 9201, 1L, Map.of());
    }

    /** What a writer that bypasses EmbeddedRegistry.register puts in the map, claiming {@code member}. */
    private static String raw(String id, String domain, String prefixesJson, String host, String member) {
        return """
                {"instanceId":"%s","domain":"%s","prefixes":%s,"host":"%s","port":8201,"adminPort":9201,\
                "registeredAt":1,"metadata":{},"member":"%s"}""".formatted(id, domain, prefixesJson, host, member);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> ignored(EmbeddedRegistry r) {
        return (Map<String, Object>) r.describe().get("ignoredEntries");
    }

    @Test
    void malformedEntriesAndAddressesOutsideTheTrustedRangesAreIgnoredAndCounted() {
        a = member(AddressRanges.of("127.0.0.0/8"));
        try (EmbeddedRegistry registry = new EmbeddedRegistry(a)) {
            registry.register(registration("orders-1", "orders", List.of("/api/orders"), "127.0.0.1"));
            String self = a.getCluster().getLocalMember().getUuid().toString();
            var map = a.<String, String>getMap(EmbeddedRegistry.MAP_NAME);
            map.put("bad-domain", raw("bad-domain", "Orders/../x", "[\"/api/orders\"]", "127.0.0.1", self));
            map.put("bad-prefix", raw("bad-prefix", "orders", "[\"/api/*\"]", "127.0.0.1", self));
            map.put("bad-host", raw("bad-host", "orders", "[\"/api/orders\"]", "127.0.0.1\\r\\nX: y", self));
            map.put("not-json", "{\"instanceId\":");
            map.put("elsewhere", raw("elsewhere", "orders", "[\"/api/orders\"]", "203.0.113.9", self));
            map.put("named-host", raw("named-host", "orders", "[\"/api/orders\"]", "evil.example", self));

            assertEquals(List.of("orders-1"), registry.snapshot().stream().map(Registration::instanceId).toList());
            registry.snapshot(); // read again: still counted once
            Map<String, Object> counts = ignored(registry);
            assertEquals(6, counts.get("now"));
            assertEquals(4L, counts.get("malformed"));
            assertEquals(2L, counts.get("untrustedAddress"));
            assertEquals(0L, counts.get("untrustedMember"));
        }
    }

    @Test
    void aMemberOutsideTheTrustedRangesHasItsRegistrationsIgnored() {
        // The reading member trusts only a range the writer is not in; the writer trusts anything.
        a = member(AddressRanges.of("192.0.2.0/24"));
        b = member(AddressRanges.any());
        Poll.until("two members", WAIT, () -> a.getCluster().getMembers().size() == 2);
        try (EmbeddedRegistry reader = new EmbeddedRegistry(a); EmbeddedRegistry writer = new EmbeddedRegistry(b)) {
            writer.register(registration("hijack-1", "orders", List.of("/api/orders"), "127.0.0.1"));
            Poll.until("the writer sees its own entry", WAIT, () -> writer.snapshot().size() == 1);

            assertEquals(List.of(), reader.snapshot());
            assertEquals(1L, ignored(reader).get("untrustedMember"));
            assertEquals(1L, reader.describe().get("untrustedMembers"));
        }
    }

    @Test
    void registryValuesCarryTheirFormatAndValuesWithoutOneStillCount() {
        a = member(AddressRanges.of("127.0.0.0/8"));
        try (EmbeddedRegistry registry = new EmbeddedRegistry(a)) {
            registry.register(registration("orders-1", "orders", List.of("/api/orders"), "127.0.0.1"));
            var map = a.<String, String>getMap(EmbeddedRegistry.MAP_NAME);
            assertEquals(true, map.get("orders-1").startsWith("{\"format\":2,"), map.get("orders-1"));
            String self = a.getCluster().getLocalMember().getUuid().toString();
            // Format 1 (no field), as a member from before formats writes it, and a newer format with a field added.
            map.put("legacy-1", raw("legacy-1", "users", "[\"/api/users\"]", "127.0.0.1", self));
            map.put("newer-1", raw("newer-1", "products", "[\"/api/products\"]", "127.0.0.1", self)
                    .replace("{\"instanceId\"", "{\"format\":3,\"zone\":\"b\",\"instanceId\""));
            assertEquals(List.of("legacy-1", "newer-1", "orders-1"),
                    registry.snapshot().stream().map(Registration::instanceId).toList());
        }
    }
}
