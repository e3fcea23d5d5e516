package io.concierge.gateway.cache;

import java.util.List;

/**
 * The {@code Cache-Control} directives a shared cache acts on (RFC 9111 section 5.2, RFC 5861), read
 * from a request's or a response's field values. Parsing is one pass over the characters, no regex
 * and no allocation beyond this object; a malformed directive (a bad number, an unterminated quote)
 * is ignored on its own, as RFC 9111 section 4.2.1 asks, so hostile input never fails a request.
 * A directive that is present more than once keeps its first value. Seconds absent are {@code -1}.
 */
public final class CacheControl {
    /** No directive at all: what an absent header parses to. */
    public static final CacheControl NONE = new CacheControl();

    private static final long MAX_SECONDS = 1L << 31; // RFC 9111 section 1.2.2: cap delta-seconds

    boolean noStore;
    boolean noCache;
    boolean isPrivate;
    boolean isPublic;
    boolean mustRevalidate;
    boolean proxyRevalidate;
    boolean onlyIfCached;
    long maxAge = -1;
    long sMaxAge = -1;
    long staleWhileRevalidate = -1;
    long staleIfError = -1;
    long maxStale = -1;
    long minFresh = -1;

    private CacheControl() {
    }

    /** Parses every value of the field, as one comma-separated list. */
    public static CacheControl parse(List<String> values) {
        if (values.isEmpty()) {
            return NONE;
        }
        CacheControl cc = new CacheControl();
        for (String v : values) {
            cc.parseValue(v);
        }
        return cc;
    }

    public static CacheControl parse(String value) {
        if (value == null) {
            return NONE;
        }
        CacheControl cc = new CacheControl();
        cc.parseValue(value);
        return cc;
    }

    private void parseValue(String s) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            // skip separators and whitespace
            char c = s.charAt(i);
            if (c == ',' || c == ' ' || c == '\t') {
                i++;
                continue;
            }
            int nameStart = i;
            while (i < n && s.charAt(i) != '=' && s.charAt(i) != ',') {
                i++;
            }
            int nameEnd = i;
            while (nameEnd > nameStart && (s.charAt(nameEnd - 1) == ' ' || s.charAt(nameEnd - 1) == '\t')) {
                nameEnd--;
            }
            long seconds = -1;
            boolean hasValue = false;
            boolean badValue = false;
            if (i < n && s.charAt(i) == '=') {
                hasValue = true;
                i++;
                while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                    i++;
                }
                boolean quoted = i < n && s.charAt(i) == '"';
                if (quoted) {
                    i++;
                }
                long v = 0;
                int digits = 0;
                while (i < n) {
                    char d = s.charAt(i);
                    if (d >= '0' && d <= '9') {
                        if (v < MAX_SECONDS) {
                            v = v * 10 + (d - '0');
                        }
                        digits++;
                        i++;
                    } else {
                        break;
                    }
                }
                if (quoted) {
                    // a quoted value (e.g. private="Set-Cookie"): skip to the closing quote
                    boolean closed = false;
                    while (i < n) {
                        char d = s.charAt(i++);
                        if (d == '"') {
                            closed = true;
                            break;
                        }
                        if (d == '\\' && i < n) {
                            i++;
                        }
                        digits = -1; // not a plain number
                    }
                    if (!closed) {
                        badValue = true;
                    }
                }
                // anything after the value up to the next comma makes a number invalid
                while (i < n && s.charAt(i) != ',') {
                    char d = s.charAt(i);
                    if (d != ' ' && d != '\t') {
                        badValue = true;
                    }
                    i++;
                }
                if (digits > 0 && !badValue) {
                    seconds = Math.min(v, MAX_SECONDS);
                }
            }
            apply(s, nameStart, nameEnd, hasValue, seconds);
        }
    }

    private void apply(String s, int start, int end, boolean hasValue, long seconds) {
        int len = end - start;
        if (len <= 0) {
            return;
        }
        if (is(s, start, len, "no-store")) {
            noStore = true;
        } else if (is(s, start, len, "no-cache")) {
            // no-cache="field" (qualified) is treated as unqualified: stricter, never wrong
            noCache = true;
        } else if (is(s, start, len, "private")) {
            isPrivate = true;
        } else if (is(s, start, len, "public")) {
            isPublic = true;
        } else if (is(s, start, len, "must-revalidate")) {
            mustRevalidate = true;
        } else if (is(s, start, len, "proxy-revalidate")) {
            proxyRevalidate = true;
        } else if (is(s, start, len, "only-if-cached")) {
            onlyIfCached = true;
        } else if (is(s, start, len, "max-age")) {
            if (maxAge < 0 && seconds >= 0) {
                maxAge = seconds;
            } else if (maxAge < 0 && hasValue) {
                // RFC 9111 section 4.2.1: an invalid max-age makes the response stale
                maxAge = 0;
            }
        } else if (is(s, start, len, "s-maxage")) {
            if (sMaxAge < 0 && seconds >= 0) {
                sMaxAge = seconds;
            } else if (sMaxAge < 0 && hasValue) {
                sMaxAge = 0;
            }
        } else if (is(s, start, len, "stale-while-revalidate")) {
            if (staleWhileRevalidate < 0) {
                staleWhileRevalidate = seconds;
            }
        } else if (is(s, start, len, "stale-if-error")) {
            if (staleIfError < 0) {
                staleIfError = seconds;
            }
        } else if (is(s, start, len, "max-stale")) {
            if (maxStale < 0) {
                maxStale = hasValue ? seconds : MAX_SECONDS;
            }
        } else if (is(s, start, len, "min-fresh")) {
            if (minFresh < 0) {
                minFresh = seconds;
            }
        }
    }

    private static boolean is(String s, int start, int len, String name) {
        return len == name.length() && s.regionMatches(true, start, name, 0, len);
    }

    public boolean noStore() {
        return noStore;
    }

    public boolean noCache() {
        return noCache;
    }

    public boolean isPrivate() {
        return isPrivate;
    }

    public boolean isPublic() {
        return isPublic;
    }

    public boolean mustRevalidate() {
        return mustRevalidate;
    }

    public boolean proxyRevalidate() {
        return proxyRevalidate;
    }

    public boolean onlyIfCached() {
        return onlyIfCached;
    }

    public long maxAge() {
        return maxAge;
    }

    public long sMaxAge() {
        return sMaxAge;
    }

    public long staleWhileRevalidate() {
        return staleWhileRevalidate;
    }

    public long staleIfError() {
        return staleIfError;
    }

    public long maxStale() {
        return maxStale;
    }

    public long minFresh() {
        return minFresh;
    }
}
