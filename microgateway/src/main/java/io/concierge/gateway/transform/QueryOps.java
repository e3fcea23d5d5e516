package io.concierge.gateway.transform;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.ConfigNode;
import io.helidon.common.uri.UriEncoding;

/**
 * Query-parameter edits of the upstream request ({@code request.query}), in the order remove →
 * rename → set → add, with the header edits' meanings. Works on the raw query: pairs it does not
 * touch go upstream byte for byte, in their order; names are compared decoded (as Helidon decodes
 * them), and configured names and values are percent-encoded once at load.
 */
record QueryOps(List<String> remove, Map<String, String> rename, Map<String, String> set, Map<String, String> add) {

    static final QueryOps NONE = new QueryOps(List.of(), Map.of(), Map.of(), Map.of());

    boolean isEmpty() {
        return remove.isEmpty() && rename.isEmpty() && set.isEmpty() && add.isEmpty();
    }

    static QueryOps read(ConfigNode n) {
        List<String> remove = n.stringList("remove");
        for (int i = 0; i < remove.size(); i++) {
            requireName(n, n.child("remove") + "[" + i + "]", remove.get(i));
        }
        Map<String, String> rename = n.stringMap("rename");
        rename.forEach((from, to) -> {
            requireName(n, n.child("rename") + "." + from, from);
            requireName(n, n.child("rename") + "." + from, to);
        });
        Map<String, String> set = n.stringMap("set");
        set.keySet().forEach(k -> requireName(n, n.child("set") + "." + k, k));
        Map<String, String> add = n.stringMap("add");
        add.keySet().forEach(k -> requireName(n, n.child("add") + "." + k, k));
        n.rejectUnknownKeys();
        return new QueryOps(List.copyOf(remove), new LinkedHashMap<>(rename), new LinkedHashMap<>(set),
                new LinkedHashMap<>(add));
    }

    /** The edited raw query (empty for none). */
    String apply(String raw) {
        List<String[]> pairs = new ArrayList<>(); // {decoded name, raw pair}
        if (!raw.isEmpty()) {
            for (String pair : raw.split("&", -1)) {
                int eq = pair.indexOf('=');
                pairs.add(new String[] {decode(eq < 0 ? pair : pair.substring(0, eq)), pair});
            }
        }
        pairs.removeIf(p -> remove.contains(p[0]));
        rename.forEach((from, to) -> {
            for (String[] p : pairs) {
                if (p[0].equals(from)) {
                    int eq = p[1].indexOf('=');
                    p[0] = to;
                    p[1] = encode(to) + (eq < 0 ? "" : p[1].substring(eq));
                }
            }
        });
        set.forEach((name, value) -> {
            pairs.removeIf(p -> p[0].equals(name));
            pairs.add(new String[] {name, encode(name) + "=" + encode(value)});
        });
        add.forEach((name, value) -> {
            if (pairs.stream().noneMatch(p -> p[0].equals(name))) {
                pairs.add(new String[] {name, encode(name) + "=" + encode(value)});
            }
        });
        StringBuilder out = new StringBuilder(raw.length() + 32);
        for (String[] p : pairs) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(p[1]);
        }
        return out.toString();
    }

    private static void requireName(ConfigNode n, String at, String name) {
        if (name.isEmpty()) {
            throw new ConfigException(n.file(), at, "empty query parameter name");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(String s) {
        try {
            return UriEncoding.decodeQuery(s);
        } catch (RuntimeException e) {
            return s; // malformed escapes: compared as sent
        }
    }
}
