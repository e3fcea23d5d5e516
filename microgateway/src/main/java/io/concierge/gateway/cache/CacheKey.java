package io.concierge.gateway.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerRequestHeaders;

/**
 * Cache keys of one domain's map. The primary key is the request target as the client sent it (raw
 * path and raw query, so two spellings of one resource never collide with another resource), plus a
 * SHA-256 of the credential when the route keys by identity. A response with {@code Vary} is stored
 * under a secondary key: the primary key, a newline, and each varied header's name and combined
 * value. Keys are bounded: a target past {@link #MAX_TARGET} characters, more than
 * {@link #MAX_VARY_NAMES} varied names or varied values past {@link #MAX_VARY_CHARS} are not cached
 * (the request is proxied), so a hostile client cannot make giant keys.
 */
final class CacheKey {
    static final int MAX_TARGET = 2048;
    static final int MAX_VARY_NAMES = 8;
    static final int MAX_VARY_CHARS = 2048;
    /** Separates the primary key from the variant part; never in a request target. */
    static final char VARIANT = '\n';

    private CacheKey() {
    }

    /** @return the primary key, or null when the target is too long to cache */
    static String primary(String rawTarget, String authorization, boolean byIdentity) {
        if (rawTarget.length() > MAX_TARGET) {
            return null;
        }
        if (byIdentity && authorization != null) {
            return rawTarget + " id=" + sha256(authorization);
        }
        return rawTarget;
    }

    /** @return the secondary key of this request's variant, or null when the varied values are too long */
    static String variant(String primary, String[] varyNames, ServerRequestHeaders headers) {
        StringBuilder sb = new StringBuilder(primary.length() + 64).append(primary);
        for (String name : varyNames) {
            sb.append(VARIANT).append(name).append(':');
            HeaderName h = HeaderNames.create(name);
            if (headers.contains(h)) {
                List<String> values = headers.get(h).allValues();
                for (int i = 0; i < values.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append(values.get(i).strip());
                }
            }
            if (sb.length() - primary.length() > MAX_VARY_CHARS) {
                return null;
            }
        }
        return sb.toString();
    }

    /** The path part of a key (for prefix purges): the target up to its query, identity or variant. */
    static String path(String key) {
        int end = key.length();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '?' || c == ' ' || c == VARIANT) {
                end = i;
                break;
            }
        }
        return key.substring(0, end);
    }

    /** Whether {@code key} is {@code primary} itself or one of its variants. */
    static boolean belongsTo(String key, String primary) {
        return key.equals(primary) || (key.startsWith(primary) && key.length() > primary.length()
                && key.charAt(primary.length()) == VARIANT);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
