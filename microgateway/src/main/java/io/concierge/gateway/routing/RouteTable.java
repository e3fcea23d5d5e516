package io.concierge.gateway.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * All routes of a gateway, ordered once at startup from most to least specific so that the first
 * match is the answer: path specificity (literal over parameter over {@code **}), then routes that
 * name methods, then routes with more header conditions, then file order. The same request always
 * picks the same route.
 */
public final class RouteTable<R> {
    /** A route as the table sees it. */
    public record Entry<R>(PathPattern pattern, Set<String> methods, Map<String, String> headers, int order, R route) {
    }

    /** The outcome of a lookup. */
    public sealed interface Result<R> permits Match, MethodNotAllowed, NotFound {
    }

    public record Match<R>(R route, Map<String, String> params) implements Result<R> {
    }

    public record MethodNotAllowed<R>(Set<String> allowed) implements Result<R> {
    }

    public record NotFound<R>() implements Result<R> {
    }

    private final List<Entry<R>> entries;

    public RouteTable(List<Entry<R>> entries) {
        List<Entry<R>> sorted = new ArrayList<>(entries);
        Comparator<Entry<R>> specificity = (a, b) -> a.pattern().compareSpecificity(b.pattern());
        sorted.sort(specificity
                .thenComparing(e -> e.methods().isEmpty())
                .thenComparing(e -> -e.headers().size())
                .thenComparingInt(Entry::order));
        this.entries = List.copyOf(sorted);
    }

    public List<Entry<R>> entries() {
        return entries;
    }

    public Result<R> match(String method, List<String> segments, Headers headers) {
        Set<String> allowed = null;
        for (Entry<R> e : entries) {
            Map<String, String> params = e.pattern().match(segments);
            if (params == null || !headersMatch(e.headers(), headers)) {
                continue;
            }
            if (e.methods().isEmpty() || e.methods().contains(method)) {
                return new Match<>(e.route(), params);
            }
            if (allowed == null) {
                allowed = new TreeSet<>();
            }
            allowed.addAll(e.methods());
        }
        return allowed == null ? new NotFound<>() : new MethodNotAllowed<>(allowed);
    }

    private static boolean headersMatch(Map<String, String> required, Headers headers) {
        for (Map.Entry<String, String> h : required.entrySet()) {
            if (!headers.values(HeaderNames.create(h.getKey())).contains(h.getValue())) {
                return false;
            }
        }
        return true;
    }
}
