package io.concierge.gateway.security;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.concierge.gateway.config.ConfigNode;

/** Role and scope names: what may travel in an identity header without ambiguity. */
final class Names {
    /** Visible ASCII except the comma, which separates names in the identity headers. */
    static final String SHAPE = "1 to 128 visible ASCII characters, no comma or space";

    private Names() {
    }

    static boolean valid(String name) {
        if (name == null || name.isEmpty() || name.length() > 128) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == ',') {
                return false;
            }
        }
        return true;
    }

    static Set<String> read(ConfigNode node, String key) {
        List<String> names = node.stringList(key);
        Set<String> result = new LinkedHashSet<>();
        for (int i = 0; i < names.size(); i++) {
            if (!valid(names.get(i))) {
                throw node.error(key + "[" + i + "]", "must be " + SHAPE + " (was '" + names.get(i) + "')");
            }
            result.add(names.get(i));
        }
        return result;
    }
}
