package io.concierge.gateway.transform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.proxy.UpstreamHeaders;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.ServerResponseHeaders;

/**
 * Header edits of one direction ({@code request.headers} or {@code response.headers}), run in the
 * order remove → rename → set → add: {@code set} replaces every value, {@code add} only fills in a
 * header that is absent (Kong's semantics), {@code rename} keeps the values under the new name.
 */
record HeaderOps(List<HeaderName> remove, Map<HeaderName, HeaderName> rename, Map<HeaderName, String> set,
                 Map<HeaderName, String> add) {

    static final HeaderOps NONE = new HeaderOps(List.of(), Map.of(), Map.of(), Map.of());

    boolean isEmpty() {
        return remove.isEmpty() && rename.isEmpty() && set.isEmpty() && add.isEmpty();
    }

    static HeaderOps read(ConfigNode n) {
        List<HeaderName> remove = new ArrayList<>();
        List<String> names = n.stringList("remove");
        for (int i = 0; i < names.size(); i++) {
            remove.add(name(n.file(), n.child("remove") + "[" + i + "]", names.get(i)));
        }
        Map<HeaderName, HeaderName> rename = new LinkedHashMap<>();
        n.stringMap("rename").forEach((from, to) -> {
            String at = n.child("rename") + "." + from;
            rename.put(name(n.file(), at, from), name(n.file(), at, to));
        });
        Map<HeaderName, String> set = values(n, "set");
        Map<HeaderName, String> add = values(n, "add");
        n.rejectUnknownKeys();
        return new HeaderOps(List.copyOf(remove), Map.copyOf(rename), Map.copyOf(set), Map.copyOf(add));
    }

    /** Asks the upstream request for the edits ({@link UpstreamHeaders}); the client's request is not changed. */
    void applyUpstream(Exchange exchange) {
        Headers client = exchange.request().headers();
        UpstreamHeaders up = exchange.upstreamHeaders();
        for (HeaderName h : remove) {
            up.remove(h.defaultCase());
        }
        rename.forEach((from, to) -> {
            if (client.contains(from)) {
                String value = String.join(", ", client.get(from).allValues());
                up.remove(from.defaultCase());
                up.add(to.defaultCase(), value);
            }
        });
        set.forEach((h, v) -> up.add(h.defaultCase(), v));
        add.forEach((h, v) -> {
            if (!client.contains(h)) {
                up.add(h.defaultCase(), v);
            }
        });
    }

    /** Edits the response's headers before its head is written. */
    void applyResponse(ServerResponseHeaders headers) {
        for (HeaderName h : remove) {
            headers.remove(h);
        }
        rename.forEach((from, to) -> {
            if (headers.contains(from)) {
                List<String> values = headers.get(from).allValues();
                headers.remove(from);
                headers.set(to, values.toArray(String[]::new));
            }
        });
        set.forEach(headers::set);
        add.forEach((h, v) -> {
            if (!headers.contains(h)) {
                headers.set(h, v);
            }
        });
    }

    private static Map<HeaderName, String> values(ConfigNode n, String key) {
        Map<HeaderName, String> result = new LinkedHashMap<>();
        n.stringMap(key).forEach((name, value) -> {
            String at = n.child(key) + "." + name;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw new ConfigException(n.file(), at, "a header value must not contain control characters");
                }
            }
            result.put(name(n.file(), at, name), value);
        });
        return result;
    }

    /** An RFC 9110 token: what a header name may be. */
    static HeaderName name(String file, String at, String name) {
        if (name.isEmpty()) {
            throw new ConfigException(file, at, "empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!token) {
                throw new ConfigException(file, at, "'" + name + "' is not a valid header name");
            }
        }
        return HeaderNames.create(name);
    }
}
