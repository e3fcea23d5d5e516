package io.concierge.gateway.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads sizes written the way operators write them: {@code 512}, {@code 64KB}, {@code 10MB}, {@code 1GB} (binary units). */
public final class ByteSizes {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,12})\\s*(B|KB|MB|GB)?");

    private ByteSizes() {
    }

    /** @return the size in bytes, or -1 when the key is absent */
    public static long read(ConfigNode node, String key, long min, long max) {
        String text = node.string(key, null);
        if (text == null) {
            return -1;
        }
        Matcher m = FORMAT.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw node.error(key, "bad size '" + text + "' (use bytes or a whole number with KB, MB or GB, e.g. 1MB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        long bytes = switch (unit) {
            case "KB" -> n * 1024;
            case "MB" -> n * 1024 * 1024;
            case "GB" -> n * 1024 * 1024 * 1024;
            default -> n;
        };
        if (bytes < min || bytes > max) {
            throw node.error(key, "must be between " + min + " and " + max + " bytes (was " + text + ")");
        }
        return bytes;
    }
}
