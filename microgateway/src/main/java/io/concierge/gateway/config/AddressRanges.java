package io.concierge.gateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * IP addresses and CIDR ranges ({@code 10.0.0.0/8}, {@code 127.0.0.1}, {@code fd00::/8}). Only
 * literals: a name would need DNS, which an attacker may influence. An empty list matches nothing
 * and {@link #any()} matches everything.
 */
public final class AddressRanges {
    private record Range(byte[] network, int bits, String text) {
    }

    private final List<Range> ranges;
    private final boolean any;

    private AddressRanges(List<Range> ranges, boolean any) {
        this.ranges = ranges;
        this.any = any;
    }

    /** No restriction. */
    public static AddressRanges any() {
        return new AddressRanges(List.of(), true);
    }

    /** Parses each entry; a bad one is a config error at {@code key[i]}. */
    public static AddressRanges parse(List<String> entries, ConfigNode node, String key) {
        List<Range> ranges = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Range r = range(entries.get(i).trim());
            if (r == null) {
                throw node.error(key + "[" + i + "]", "an IP address or CIDR range such as 10.0.0.0/8 is expected"
                        + " (was '" + entries.get(i) + "')");
            }
            ranges.add(r);
        }
        return new AddressRanges(List.copyOf(ranges), false);
    }

    /** For code and tests: entries that are known to be valid. */
    public static AddressRanges of(String... entries) {
        List<Range> ranges = new ArrayList<>();
        for (String e : entries) {
            Range r = range(e);
            if (r == null) {
                throw new IllegalArgumentException("not an address range: " + e);
            }
            ranges.add(r);
        }
        return new AddressRanges(List.copyOf(ranges), false);
    }

    public boolean isAny() {
        return any;
    }

    /**
     * Whether {@code host} is an IP literal inside one of the ranges (always true for {@link #any()}).
     * {@code localhost} counts as 127.0.0.1 (RFC 6761 reserves it for loopback); other names never match.
     */
    public boolean contains(String host) {
        if (any) {
            return true;
        }
        byte[] a = literal("localhost".equalsIgnoreCase(host) ? "127.0.0.1" : host);
        return a != null && contains(a);
    }

    public boolean contains(InetAddress address) {
        return any || contains(address.getAddress());
    }

    private boolean contains(byte[] a) {
        for (Range r : ranges) {
            if (r.network.length == a.length && matches(r.network, a, r.bits)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] network, byte[] a, int bits) {
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (network[i] != a[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (network[full] & mask) == (a[full] & mask);
    }

    private static Range range(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        byte[] a = literal(addr);
        if (a == null) {
            return null;
        }
        int bits = a.length * 8;
        if (slash >= 0) {
            String b = text.substring(slash + 1);
            if (b.isEmpty() || b.length() > 3 || !b.chars().allMatch(Character::isDigit)) {
                return null;
            }
            bits = Integer.parseInt(b);
            if (bits > a.length * 8) {
                return null;
            }
        }
        return new Range(a, bits, text);
    }

    /** The bytes of an IPv4 or IPv6 literal, or null (never a DNS lookup: names are refused first). */
    static byte[] literal(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean v6 = h.indexOf(':') >= 0;
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c == '.'
                    || v6 && (c == ':' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F');
            if (!ok) {
                return null;
            }
        }
        if (!v6 && h.chars().filter(c -> c == '.').count() != 3) {
            return null;
        }
        try {
            return InetAddress.getByName(h).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressRanges r && r.any == any && r.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return any ? "any" : ranges.stream().map(Range::text).toList().toString();
    }
}
