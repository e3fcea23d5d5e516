package io.concierge.gateway.proxy;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Connection-specific header fields (RFC 9110 section 7.6.1): they describe one hop and must not
 * be forwarded, and neither may any field that the {@code Connection} header names.
 */
public final class HopByHop {
    private static final Set<String> ALWAYS = Set.of(
            "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "transfer-encoding", "upgrade");

    private final Set<String> named;

    private HopByHop(Set<String> named) {
        this.named = named;
    }

    /** @param connectionValues every value of the message's Connection header */
    public static HopByHop of(List<String> connectionValues) {
        if (connectionValues.isEmpty()) {
            return new HopByHop(Set.of());
        }
        Set<String> named = new HashSet<>();
        for (String v : connectionValues) {
            for (String token : v.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    named.add(t);
                }
            }
        }
        return new HopByHop(named);
    }

    /** @param lowerName header name in lower case */
    public boolean isHopByHop(String lowerName) {
        return ALWAYS.contains(lowerName) || named.contains(lowerName);
    }
}
