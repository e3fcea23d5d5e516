package io.concierge.gateway.proxy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Header changes a pipeline asks of the upstream request: client headers to drop (for example
 * identity headers a client could forge) and headers to add (the verified identity). Response-side
 * header work belongs to response-side steps ({@code pipeline.ResponseInterceptor}).
 *
 * <p>A client header is dropped when its name equals a removed one case-insensitively <em>and with
 * {@code _} and {@code -} treated alike</em>: many upstream frameworks (CGI's {@code HTTP_X_AUTH_ROLES},
 * and everything that maps headers the same way) cannot tell {@code X_Auth_Roles} from
 * {@code X-Auth-Roles}, so a client must not be able to slip one past the other.
 *
 * <p>Every request of a route with identity stripping asks for changes, so they cost nothing until
 * used: the fixed sets of names a step strips are built once ({@link StrippedHeaderNames}) and only
 * referenced here, and the set of single names and the list of added headers exist only once a
 * step removes or adds one.
 */
public final class UpstreamHeaders {
    private StrippedHeaderNames stripped;
    private List<StrippedHeaderNames> moreStripped;
    private Set<String> removed;
    private List<String[]> added;

    /** Drops every client-sent header of this name, in any case, with {@code _} for {@code -} or back. */
    public void remove(String name) {
        removedNames().add(looseName(name));
    }

    /** Drops every client-sent header named in {@code names} (a set built once, not copied here). */
    public void remove(StrippedHeaderNames names) {
        if (names.isEmpty()) {
            return;
        }
        if (stripped == null) {
            stripped = names;
            return;
        }
        if (moreStripped == null) {
            moreStripped = new ArrayList<>(2);
        }
        moreStripped.add(names);
    }

    /** Adds a header; a client-sent header of the same name is dropped. */
    public void add(String name, String value) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header value with CR or LF");
        }
        removedNames().add(looseName(name));
        if (added == null) {
            added = new ArrayList<>(4);
        }
        added.add(new String[] {name, value});
    }

    private Set<String> removedNames() {
        if (removed == null) {
            removed = new HashSet<>();
        }
        return removed;
    }

    boolean isRemoved(String lowerName) {
        if (stripped == null && removed == null) {
            return false;
        }
        String loose = loose(lowerName);
        if (stripped != null && stripped.containsLoose(loose)) {
            return true;
        }
        if (moreStripped != null) {
            for (int i = 0; i < moreStripped.size(); i++) {
                if (moreStripped.get(i).containsLoose(loose)) {
                    return true;
                }
            }
        }
        return removed != null && removed.contains(loose);
    }

    /** How names are compared: lower case, every {@code _} as {@code -}. */
    static String looseName(String name) {
        return loose(name.toLowerCase(Locale.ROOT));
    }

    /** The name with every {@code _} as {@code -}; the same instance (no allocation) when it has none. */
    private static String loose(String lowerName) {
        return lowerName.replace('_', '-');
    }

    /** The headers to add, as {name, value} pairs (also sent as gRPC metadata, docs/grpc.md). */
    public List<String[]> added() {
        return added == null ? List.of() : added;
    }

    /** Copies every removal and addition into {@code other} (a request the gateway makes on the client's behalf). */
    public void copyTo(UpstreamHeaders other) {
        if (stripped != null) {
            other.remove(stripped);
        }
        if (moreStripped != null) {
            moreStripped.forEach(other::remove);
        }
        if (removed != null) {
            other.removedNames().addAll(removed);
        }
        if (added != null) {
            if (other.added == null) {
                other.added = new ArrayList<>(added.size());
            }
            other.added.addAll(added);
        }
    }

    public boolean isEmpty() {
        return stripped == null && (removed == null || removed.isEmpty()) && (added == null || added.isEmpty());
    }
}
