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
    /** {@link #ALWAYS} as an array, for the case-insensitive check that lowers nothing. */
    private static final String[] ALWAYS_NAMES = ALWAYS.toArray(new String[0]);
    /** A message whose Connection header names nothing beyond {@link #ALWAYS} (the usual case): shared. */
    private static final HopByHop ONLY_ALWAYS = new HopByHop(Set.of());

    private final Set<String> named;

    private HopByHop(Set<String> named) {
        this.named = named;
    }

    /** @param connectionValues every value of the message's Connection header */
    public static HopByHop of(List<String> connectionValues) {
        if (connectionValues.isEmpty()) {
            return ONLY_ALWAYS;
        }
        Set<String> named = null;
        for (String v : connectionValues) {
            if (v.indexOf(',') < 0) {
                // One token (keep-alive, close): no split array per message.
                named = with(named, v);
                continue;
            }
            for (String token : v.split(",")) {
                named = with(named, token);
            }
        }
        return named == null ? ONLY_ALWAYS : new HopByHop(named);
    }

    /** Adds {@code token}, trimmed and lower-cased, unless empty or always hop-by-hop anyway. */
    private static Set<String> with(Set<String> named, String token) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || ALWAYS.contains(t)) {
            // Named or not, an ALWAYS field is dropped: leaving it out of the set changes no answer.
            return named;
        }
        Set<String> set = named == null ? new HashSet<>() : named;
        set.add(t);
        return set;
    }

    /** @param lowerName header name in lower case */
    public boolean isHopByHop(String lowerName) {
        return ALWAYS.contains(lowerName) || named.contains(lowerName);
    }

    /**
     * {@link #isHopByHop} for a name in any case: lowers it only when the Connection header named
     * fields of its own, so relaying a response head allocates nothing per header.
     */
    public boolean isHopByHopAnyCase(String name) {
        for (String always : ALWAYS_NAMES) {
            if (always.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return !named.isEmpty() && named.contains(name.toLowerCase(Locale.ROOT));
    }
}
