package io.concierge.gateway.config;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cluster.trusted-members: CIDR matching of literals only, the default, and exact load errors. */
class AddressRangesTest {
    @Test
    void rangesMatchByPrefixBits() {
        AddressRanges r = AddressRanges.of("10.20.0.0/16", "192.168.1.7", "fd00::/8");
        assertTrue(r.contains("10.20.255.1"));
        assertFalse(r.contains("10.21.0.1"));
        assertTrue(r.contains("192.168.1.7"));
        assertFalse(r.contains("192.168.1.8"));
        assertTrue(r.contains("fd12::1"));
        assertTrue(r.contains("[fd12::1]"));
        assertFalse(r.contains("fe80::1"));
    }

    @Test
    void namesNeverMatchExceptLocalhostForLoopback() {
        assertFalse(AddressRanges.of("0.0.0.0/0").contains("evil.example"), "no DNS lookup, no match");
        assertTrue(AddressRanges.of("127.0.0.0/8").contains("localhost"));
        assertFalse(AddressRanges.of("10.0.0.0/8").contains("localhost"));
        assertTrue(AddressRanges.any().contains("evil.example"));
    }

    @Test
    void oddBitCountsMaskWithinAByte() {
        AddressRanges r = AddressRanges.of("10.0.0.128/25");
        assertTrue(r.contains("10.0.0.200"));
        assertFalse(r.contains("10.0.0.127"));
    }

    @Test
    void aBadEntryIsALoadErrorWithItsPath() {
        String e = assertThrows(ConfigException.class, () -> ClusterConfig.read(
                YamlSource.parse("test.yaml", "cluster: {trusted-members: [10.0.0.0/8, 10.0.0.0/33]}", k -> null)
                        .object("cluster"))).getMessage();
        assertEquals("test.yaml: cluster.trusted-members[1]: '10.0.0.0/33' is not an IP address or CIDR range"
                + " (e.g. 10.0.0.0/8, 192.0.2.7, 2001:db8::/32)", e);
        assertThrows(ConfigException.class, () -> ClusterConfig.read(
                YamlSource.parse("test.yaml", "cluster: {trusted-members: [mesh.internal]}", k -> null).object("cluster")));
    }

    @Test
    void theDefaultTrustsLoopbackForALoopbackMemberAndAnyoneOtherwise() {
        assertEquals(AddressRanges.of("127.0.0.0/8", "::1/128"), ClusterConfig.defaults().trustedMembers());
        ClusterConfig pod = new ClusterConfig("c", "10.1.2.3", 5701, 20, List.of("10.1.2.4"), Duration.ofSeconds(5));
        assertTrue(pod.trustedMembers().isAny());
    }
}
