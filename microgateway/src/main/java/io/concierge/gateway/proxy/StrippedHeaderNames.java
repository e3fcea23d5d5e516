package io.concierge.gateway.proxy;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * A fixed set of client header names a step always drops upstream (identity headers, forwarding
 * headers from an untrusted client), normalised once when the chain is built, the way
 * {@link UpstreamHeaders} compares names: lower case, {@code _} as {@code -}. A request then only
 * points at the set instead of normalising and copying each name again.
 */
public final class StrippedHeaderNames {
    private final Set<String> loose;

    private StrippedHeaderNames(Set<String> loose) {
        this.loose = Set.copyOf(loose);
    }

    /** @param names header names in any case and spelling */
    public static StrippedHeaderNames of(Collection<String> names) {
        Set<String> loose = new HashSet<>();
        for (String n : names) {
            loose.add(UpstreamHeaders.looseName(n));
        }
        return new StrippedHeaderNames(loose);
    }

    boolean isEmpty() {
        return loose.isEmpty();
    }

    /** @param looseName a name as {@link UpstreamHeaders#looseName} gives it */
    boolean containsLoose(String looseName) {
        return loose.contains(looseName);
    }
}
