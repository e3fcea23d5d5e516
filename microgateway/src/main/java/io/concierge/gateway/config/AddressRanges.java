package io.concierge.gateway.config;

import java.net.InetAddress;

/**
 * The cluster's trusted members: {@link IpRanges} (IP literals and CIDR ranges, never a DNS lookup),
 * or {@link #any()} for no restriction, and {@code localhost} counting as 127.0.0.1 (RFC 6761 reserves
 * it for loopback) since registrations may carry it as their host.
 */
public final class AddressRanges {
    private final IpRanges ranges;
    private final boolean any;

    private AddressRanges(IpRanges ranges, boolean any) {
        this.ranges = ranges;
        this.any = any;
    }

    /** No restriction. */
    public static AddressRanges any() {
        return new AddressRanges(IpRanges.NONE, true);
    }

    /** The list at {@code key} of {@code node}; a bad entry is a config error at {@code key[i]}. */
    public static AddressRanges read(ConfigNode node, String key) {
        return new AddressRanges(IpRanges.read(node, key), false);
    }

    /** For code and tests: entries that are known to be valid. */
    public static AddressRanges of(String... entries) {
        return new AddressRanges(IpRanges.of(entries), false);
    }

    public boolean isAny() {
        return any;
    }

    /** Whether {@code host} is an IP literal (or {@code localhost}) inside the ranges; always true for {@link #any()}. */
    public boolean contains(String host) {
        return any || ranges.contains("localhost".equalsIgnoreCase(host) ? "127.0.0.1" : host);
    }

    public boolean contains(InetAddress address) {
        return any || ranges.contains(address.getAddress());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressRanges r && r.any == any && r.ranges.equals(ranges);
    }

    @Override
    public int hashCode() {
        return any ? 1 : ranges.hashCode();
    }

    @Override
    public String toString() {
        return any ? "any" : ranges.toString();
    }
}
