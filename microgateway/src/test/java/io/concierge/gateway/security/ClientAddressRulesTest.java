package io.concierge.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.IpRanges;

/** CIDR matching (IPv4, IPv6, mapped) and the trusted-proxy rule, as units. */
class ClientAddressRulesTest {
    @Test
    void cidrRangesMatchBothFamilies() {
        IpRanges r = IpRanges.of("10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::1");
        assertTrue(r.contains("10.255.1.2"));
        assertFalse(r.contains("11.0.0.1"));
        assertTrue(r.contains("192.0.2.7"));
        assertFalse(r.contains("192.0.2.8"));
        assertTrue(r.contains("2001:db8:1::5"));
        assertTrue(r.contains("[2001:db8::9]"));
        assertFalse(r.contains("2001:db9::1"));
        assertTrue(r.contains("0:0:0:0:0:0:0:1"));
        assertTrue(r.contains("::ffff:10.1.2.3"), "an IPv4-mapped address matches the IPv4 range");
        assertFalse(r.contains("localhost"), "names are never resolved");
        assertFalse(r.contains("unknown"));
        assertFalse(r.contains("10.0.0.256"));
        assertTrue(IpRanges.of("0.0.0.0/0").contains("203.0.113.1"));
        assertTrue(IpRanges.of("10.1.2.3/31").contains("10.1.2.2"));
        assertFalse(IpRanges.of("10.1.2.3/31").contains("10.1.2.4"));
    }

    @Test
    void theRightmostUntrustedAddressIsTheClient() {
        IpRanges proxies = IpRanges.of("127.0.0.1", "10.0.0.0/8");
        assertEquals("203.0.113.5", ClientIpStep.resolve("127.0.0.1", List.of("198.51.100.1, 203.0.113.5, 10.0.0.2"), proxies));
        assertEquals("203.0.113.5", ClientIpStep.resolve("127.0.0.1", List.of("198.51.100.1", "203.0.113.5"), proxies),
                "several header lines are one list");
        assertEquals("10.0.0.3", ClientIpStep.resolve("127.0.0.1", List.of("10.0.0.3, 10.0.0.2"), proxies),
                "all trusted: the leftmost");
        assertEquals("10.0.0.2", ClientIpStep.resolve("127.0.0.1", List.of("bogus, 10.0.0.2"), proxies),
                "garbage: believe nothing left of it");
        assertEquals("127.0.0.1", ClientIpStep.resolve("127.0.0.1", List.of(), proxies));
        assertEquals("2001:db8::1", ClientIpStep.resolve("127.0.0.1", List.of("[2001:db8::1]"), proxies));
    }
}
