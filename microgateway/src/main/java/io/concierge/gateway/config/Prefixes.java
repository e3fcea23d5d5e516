package io.concierge.gateway.config;

/** Path prefixes a domain owns: {@code /api/orders} owns {@code /api/orders} and everything below it. */
public final class Prefixes {
    private Prefixes() {
    }

    public static void validate(String prefix, ConfigNode node, String key) {
        if (!isWellFormed(prefix)) {
            throw node.error(key, "a prefix is a literal path starting with '/', without a trailing '/', wildcards,"
                    + " percent-encoding or dot segments (was '" + prefix + "')");
        }
    }

    /**
     * A literal path starting with '/', without a trailing '/', wildcards, percent-encoding, dot
     * segments, or characters outside visible ASCII (a registry entry is checked with this too).
     */
    public static boolean isWellFormed(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.length() > 1024 || !prefix.startsWith("/")
                || (prefix.length() > 1 && prefix.endsWith("/"))
                || prefix.contains("//") || prefix.contains("*") || prefix.contains("{") || prefix.contains("%")
                || prefix.contains("/./") || prefix.contains("/../") || prefix.endsWith("/..") || prefix.endsWith("/.")) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '?' || c == '#') {
                return false;
            }
        }
        return true;
    }

    /** True when {@code path} equals the prefix or continues it at a segment boundary. */
    public static boolean covers(String prefix, String path) {
        if (prefix.equals("/")) {
            return path.startsWith("/");
        }
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }
}
