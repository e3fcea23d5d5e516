package io.concierge.gateway.rewrite;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.concierge.gateway.config.ConfigNode;

/**
 * How a route changes the path before forwarding. Either prefix form ({@code strip-prefix} and/or
 * {@code add-prefix}) or regex form ({@code regex} + {@code replacement}), never both. Rewrites work on
 * the raw, still percent-encoded path, so nothing is decoded twice.
 */
public record RewriteConfig(String stripPrefix, String addPrefix, Pattern regex, String replacement) {
    public static final RewriteConfig NONE = new RewriteConfig(null, null, null, null);

    public static RewriteConfig read(ConfigNode node) {
        String strip = node.string("strip-prefix", null);
        String add = node.string("add-prefix", null);
        String regexText = node.string("regex", null);
        String replacement = node.string("replacement", null);
        node.rejectUnknownKeys();
        if (strip != null && !isPathPrefix(strip)) {
            throw node.error("strip-prefix", "must start with '/' and not end with '/' (was '" + strip + "')");
        }
        if (add != null && !isPathPrefix(add)) {
            throw node.error("add-prefix", "must start with '/' and not end with '/' (was '" + add + "')");
        }
        if ((regexText == null) != (replacement == null)) {
            throw node.error(regexText == null ? "regex" : "replacement", "regex and replacement go together");
        }
        if (regexText != null && (strip != null || add != null)) {
            throw node.error("regex", "use either regex/replacement or strip-prefix/add-prefix, not both");
        }
        Pattern regex = null;
        if (regexText != null) {
            try {
                regex = Pattern.compile(regexText);
            } catch (PatternSyntaxException e) {
                throw node.error("regex", "invalid regular expression: " + e.getDescription());
            }
            if (!replacement.startsWith("/")) {
                throw node.error("replacement", "must start with '/' (was '" + replacement + "')");
            }
        }
        return new RewriteConfig(strip, add, regex, replacement);
    }

    private static boolean isPathPrefix(String p) {
        return p.startsWith("/") && (p.length() == 1 || !p.endsWith("/")) && !p.contains("..");
    }

    public boolean isNone() {
        return stripPrefix == null && addPrefix == null && regex == null;
    }
}
