package io.concierge.gateway.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A compiled route path: literal segments, {@code {name}} segments that match exactly one segment,
 * and an optional trailing {@code **} that matches zero or more segments. Matching is done on
 * decoded segments, so {@code %2Fa} can never stand for two segments.
 */
public final class PathPattern {
    enum Kind { LITERAL, PARAM, REST }

    private final String text;
    private final Kind[] kinds;
    private final String[] values;

    private PathPattern(String text, Kind[] kinds, String[] values) {
        this.text = text;
        this.kinds = kinds;
        this.values = values;
    }

    public static PathPattern compile(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("path pattern must start with '/' (was '" + text + "')");
        }
        if (text.equals("/")) {
            return new PathPattern(text, new Kind[0], new String[0]);
        }
        String[] parts = text.substring(1).split("/", -1);
        Kind[] kinds = new Kind[parts.length];
        String[] values = new String[parts.length];
        Set<String> names = new HashSet<>();
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty()) {
                throw new IllegalArgumentException("empty segment in path pattern '" + text + "'");
            }
            if (p.equals("**")) {
                if (i != parts.length - 1) {
                    throw new IllegalArgumentException("'**' may only be the last segment of '" + text + "'");
                }
                kinds[i] = Kind.REST;
            } else if (p.startsWith("{") && p.endsWith("}")) {
                String name = p.substring(1, p.length() - 1);
                if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("bad parameter name '" + name + "' in '" + text + "'");
                }
                if (!names.add(name)) {
                    throw new IllegalArgumentException("parameter '" + name + "' appears twice in '" + text + "'");
                }
                kinds[i] = Kind.PARAM;
                values[i] = name;
            } else if (p.contains("*") || p.contains("{") || p.contains("}") || p.equals(".") || p.equals("..")
                    || p.contains("%")) {
                throw new IllegalArgumentException("bad segment '" + p + "' in path pattern '" + text + "'");
            } else {
                kinds[i] = Kind.LITERAL;
                values[i] = p;
            }
        }
        return new PathPattern(text, kinds, values);
    }

    public String text() {
        return text;
    }

    /** @return the path parameters if the decoded segments match, or null */
    public Map<String, String> match(List<String> segments) {
        int n = kinds.length;
        boolean rest = n > 0 && kinds[n - 1] == Kind.REST;
        int fixed = rest ? n - 1 : n;
        if (rest ? segments.size() < fixed : segments.size() != fixed) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < fixed; i++) {
            String s = segments.get(i);
            if (kinds[i] == Kind.LITERAL) {
                if (!values[i].equals(s)) {
                    return null;
                }
            } else {
                if (params == null) {
                    params = new LinkedHashMap<>();
                }
                params.put(values[i], s);
            }
        }
        return params == null ? Map.of() : params;
    }

    /** True when every path this pattern matches lies under {@code prefix}. */
    public boolean isWithin(String prefix) {
        if (prefix.equals("/")) {
            return true;
        }
        String[] p = prefix.substring(1).split("/");
        if (p.length > kinds.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (kinds[i] != Kind.LITERAL || !values[i].equals(p[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Orders two patterns that both match a path: position by position a literal beats a
     * parameter, which beats {@code **}; an exact pattern beats one that ends in {@code **}.
     * Negative means this one is more specific.
     */
    public int compareSpecificity(PathPattern other) {
        int n = Math.max(kinds.length, other.kinds.length);
        for (int i = 0; i < n; i++) {
            int a = i < kinds.length ? kinds[i].ordinal() : -1;
            int b = i < other.kinds.length ? other.kinds[i].ordinal() : -1;
            if (a != b) {
                // A pattern that has ended ranks before one that still needs "**" at this position.
                return Integer.compare(a, b);
            }
        }
        return 0;
    }

    public List<String> parameterNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == Kind.PARAM) {
                names.add(values[i]);
            }
        }
        return names;
    }

    @Override
    public String toString() {
        return text;
    }
}
