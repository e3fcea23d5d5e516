package io.concierge.gateway.versioning;

import java.util.List;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * Finds the version a request asks for, by the selectors in precedence order: the URL segment
 * ({@code /api/v2/...}), the header ({@code API-Version: 2}), the media type in {@code Accept}
 * ({@code application/vnd.concierge.v2+json}), the query parameter ({@code ?version=2}), else the
 * default. The first selector present decides, even with a version that does not exist (a 400 then):
 * a client that asks for something specific must not silently get something else. Tight loops over
 * the request's own strings; nothing is allocated unless a version is unsupported.
 */
final class VersionSelector {
    private final VersioningConfig config;
    private final SelectedVersion[][] selected; // [version][source]
    private final int urlSegment;
    private final HeaderName header;
    private final String mediaPrefix;
    private final String mediaSuffix;

    VersionSelector(VersioningConfig config) {
        this.config = config;
        List<VersioningConfig.ApiVersion> versions = config.versions();
        selected = new SelectedVersion[versions.size()][SelectedVersion.Source.values().length];
        for (int i = 0; i < versions.size(); i++) {
            for (SelectedVersion.Source s : SelectedVersion.Source.values()) {
                selected[i][s.ordinal()] = new SelectedVersion(versions.get(i), i, s);
            }
        }
        urlSegment = config.urlPrefix() == null ? -1
                : config.urlPrefix().equals("/") ? 0 : config.urlPrefix().split("/").length - 1;
        header = config.header() == null ? null : HeaderNames.create(config.header());
        if (config.mediaType() != null) {
            int at = config.mediaType().indexOf(VersioningConfig.PLACEHOLDER);
            mediaPrefix = config.mediaType().substring(0, at);
            mediaSuffix = config.mediaType().substring(at + VersioningConfig.PLACEHOLDER.length());
        } else {
            mediaPrefix = null;
            mediaSuffix = null;
        }
    }

    /** The segment index of {@code v2} in a path, or -1 without the URL selector. */
    int urlSegment() {
        return urlSegment;
    }

    /**
     * @param segments the decoded path segments
     * @param rawQuery the raw query, "" for none
     * @return the selection, or an {@link Unsupported} naming what the client asked for
     */
    Object select(List<String> segments, Headers headers, String rawQuery) {
        if (urlSegment >= 0 && segments.size() > urlSegment) {
            String s = segments.get(urlSegment);
            if (s.length() > 1 && s.charAt(0) == 'v') {
                int v = find(s, 1, s.length());
                if (v >= 0) {
                    return selected[v][SelectedVersion.Source.URL.ordinal()];
                }
                // Only declared versions have route entries, so another vN never reaches here.
            }
        }
        if (header != null && headers.contains(header)) {
            String value = headers.get(header).get().trim();
            int v = find(value, 0, value.length());
            return v >= 0 ? selected[v][SelectedVersion.Source.HEADER.ordinal()] : new Unsupported(value);
        }
        if (mediaPrefix != null && headers.contains(HeaderNames.ACCEPT)) {
            Object m = fromAccept(headers);
            if (m != null) {
                return m;
            }
        }
        if (config.query() != null && !rawQuery.isEmpty()) {
            Object q = fromQuery(rawQuery);
            if (q != null) {
                return q;
            }
        }
        return selected[index(config.defaultVersion())][SelectedVersion.Source.DEFAULT.ordinal()];
    }

    private Object fromAccept(Headers headers) {
        for (String accept : headers.get(HeaderNames.ACCEPT).allValues()) {
            int from = 0;
            while (true) {
                int at = indexOfIgnoreCase(accept, mediaPrefix, from);
                if (at < 0) {
                    break;
                }
                int start = at + mediaPrefix.length();
                int end = indexOfIgnoreCase(accept, mediaSuffix, start);
                if (end < 0) {
                    break;
                }
                int v = find(accept, start, end);
                if (v >= 0) {
                    return selected[v][SelectedVersion.Source.MEDIA_TYPE.ordinal()];
                }
                return new Unsupported(accept.substring(start, Math.min(end, start + 32)));
            }
        }
        return null;
    }

    /** The first {@code name=value} pair of the query parameter; names compared as sent (no escapes expected). */
    private Object fromQuery(String raw) {
        String name = config.query();
        int i = 0;
        while (i <= raw.length()) {
            int end = raw.indexOf('&', i);
            if (end < 0) {
                end = raw.length();
            }
            if (end - i > name.length() && raw.startsWith(name, i) && raw.charAt(i + name.length()) == '=') {
                int start = i + name.length() + 1;
                int v = find(raw, start, end);
                return v >= 0 ? selected[v][SelectedVersion.Source.QUERY.ordinal()]
                        : new Unsupported(raw.substring(start, Math.min(end, start + 32)));
            }
            i = end + 1;
        }
        return null;
    }

    /** The index of the version spelled by {@code s[from, to)}, or -1. */
    private int find(String s, int from, int to) {
        List<VersioningConfig.ApiVersion> versions = config.versions();
        for (int i = 0; i < versions.size(); i++) {
            String name = versions.get(i).name();
            if (name.length() == to - from && s.regionMatches(from, name, 0, name.length())) {
                return i;
            }
        }
        return -1;
    }

    private int index(String name) {
        return find(name, 0, name.length());
    }

    private static int indexOfIgnoreCase(String s, String part, int from) {
        for (int i = from; i + part.length() <= s.length(); i++) {
            if (s.regionMatches(true, i, part, 0, part.length())) {
                return i;
            }
        }
        return -1;
    }

    /** A version the client asked for that the group does not have. */
    record Unsupported(String asked) {
    }
}
