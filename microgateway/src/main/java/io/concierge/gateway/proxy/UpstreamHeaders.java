package io.concierge.gateway.proxy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Header changes a pipeline asks of the upstream request: client headers to drop (for example
 * identity headers a client could forge) and headers to add (the verified identity).
 */
public final class UpstreamHeaders {
    private final Set<String> removed = new HashSet<>();
    private final List<String[]> added = new ArrayList<>();

    /** Drops every client-sent header of this name. */
    public void remove(String name) {
        removed.add(name.toLowerCase(Locale.ROOT));
    }

    /** Adds a header; a client-sent header of the same name is dropped. */
    public void add(String name, String value) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header value with CR or LF");
        }
        removed.add(name.toLowerCase(Locale.ROOT));
        added.add(new String[] {name, value});
    }

    boolean isRemoved(String lowerName) {
        return !removed.isEmpty() && removed.contains(lowerName);
    }

    List<String[]> added() {
        return added;
    }

    public boolean isEmpty() {
        return removed.isEmpty() && added.isEmpty();
    }
}
