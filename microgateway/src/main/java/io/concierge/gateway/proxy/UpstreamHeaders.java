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
 */
public final class UpstreamHeaders {
    private final Set<String> removed = new HashSet<>();
    private final List<String[]> added = new ArrayList<>();

    /** Drops every client-sent header of this name, in any case, with {@code _} for {@code -} or back. */
    public void remove(String name) {
        removed.add(loose(name.toLowerCase(Locale.ROOT)));
    }

    /** Adds a header; a client-sent header of the same name is dropped. */
    public void add(String name, String value) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header value with CR or LF");
        }
        removed.add(loose(name.toLowerCase(Locale.ROOT)));
        added.add(new String[] {name, value});
    }

    boolean isRemoved(String lowerName) {
        return !removed.isEmpty() && removed.contains(loose(lowerName));
    }

    /** The name with every {@code _} as {@code -}; the same instance (no allocation) when it has none. */
    private static String loose(String lowerName) {
        return lowerName.replace('_', '-');
    }

    /** The headers to add, as {name, value} pairs (also sent as gRPC metadata, docs/grpc.md). */
    public List<String[]> added() {
        return added;
    }

    public boolean isEmpty() {
        return removed.isEmpty() && added.isEmpty();
    }
}
