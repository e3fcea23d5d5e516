package io.concierge.gateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled list of CIDR ranges, IPv4 and IPv6, matched without allocation beyond parsing the
 * address: the security steps' allow/deny lists and trusted proxies, and the cluster's trusted
 * members ({@link AddressRanges}). IPv4-mapped IPv6 addresses ({@code ::ffff:10.0.0.1}) match IPv4 ranges, so a dual-stack
 * socket cannot slip past an IPv4 deny list.
 */
public final class IpRanges {
    public static final IpRanges NONE = new IpRanges(List.of(), List.of());

    private final List<String> texts;
    private final List<Range> ranges;

    private record Range(byte[] network, int prefix) {
        /** @param address 4 or 16 bytes, as {@link #literal} returns them */
    public boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private IpRanges(List<String> texts, List<Range> ranges) {
        this.texts = texts;
        this.ranges = ranges;
    }

    /** Reads a list of {@code address} or {@code address/prefix} entries; an error names the entry. */
    public static IpRanges read(ConfigNode node, String key) {
        List<String> entries = node.stringList(key);
        List<Range> ranges = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i).trim();
            Range r = parse(entry);
            if (r == null) {
                throw node.error(key + "[" + i + "]", "'" + entry
                        + "' is not an IP address or CIDR range (e.g. 10.0.0.0/8, 192.0.2.7, 2001:db8::/32)");
            }
            ranges.add(r);
        }
        return ranges.isEmpty() ? NONE : new IpRanges(List.copyOf(entries), List.copyOf(ranges));
    }

    /** For code and tests: ranges from literal entries. */
    public static IpRanges of(String... entries) {
        List<Range> ranges = new ArrayList<>();
        for (String e : entries) {
            Range r = parse(e);
            if (r == null) {
                throw new IllegalArgumentException("not a CIDR range: " + e);
            }
            ranges.add(r);
        }
        return new IpRanges(List.of(entries), List.copyOf(ranges));
    }

    private static Range parse(String entry) {
        int slash = entry.indexOf('/');
        String addr = slash < 0 ? entry : entry.substring(0, slash);
        byte[] bytes = literal(addr);
        if (bytes == null) {
            return null;
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = entry.substring(slash + 1);
            if (!p.matches("\\d{1,3}")) {
                return null;
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                return null;
            }
        }
        return new Range(bytes, prefix);
    }

    /**
     * Parses an IP literal without ever touching DNS (InetAddress.getByName would resolve a host
     * name, which must never happen on the request path).
     *
     * @return 4 or 16 bytes (IPv4-mapped IPv6 reduced to 4), or null if it is not a literal
     */
    public static byte[] literal(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return null;
        }
        String t = text;
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        boolean v6 = t.indexOf(':') >= 0;
        if (!v6 && !t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return null;
        }
        if (!v6) {
            byte[] v4 = new byte[4];
            String[] parts = t.split("\\.");
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(parts[i]);
                if (octet > 255) {
                    return null;
                }
                v4[i] = (byte) octet;
            }
            return v4;
        }
        if (!t.matches("[0-9A-Fa-f:.]+")) {
            return null; // also refuses zone ids (%eth0)
        }
        try {
            // With a ':' in it, InetAddress parses an IPv6 literal and never asks DNS.
            byte[] b = InetAddress.getByName(t).getAddress();
            if (b.length == 16 && isV4Mapped(b)) {
                return new byte[] {b[12], b[13], b[14], b[15]};
            }
            return b;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** @param ip an IP literal; anything else (a host name, "unknown") never matches */
    public boolean contains(String ip) {
        if (ranges.isEmpty()) {
            return false;
        }
        byte[] b = literal(ip);
        return b != null && contains(b);
    }

    /** @param address 4 or 16 bytes, as {@link #literal} returns them */
    public boolean contains(byte[] address) {
        for (Range r : ranges) {
            if (r.contains(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return texts.toString();
    }

    /** Equal when the same entries were configured (a reload then keeps the state built from them). */
    @Override
    public boolean equals(Object o) {
        return o instanceof IpRanges r && texts.equals(r.texts);
    }

    @Override
    public int hashCode() {
        return texts.hashCode();
    }
}
