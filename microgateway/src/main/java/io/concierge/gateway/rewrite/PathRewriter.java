package io.concierge.gateway.rewrite;

import java.util.List;
import java.util.regex.Matcher;


/**
 * Applies a route's rewrite to a raw path. Prefix stripping works on segments (the route matched
 * the decoded segments, so the first ones are known to equal the prefix however the client spelled
 * them) and keeps the rest of the raw path byte for byte. The regex form runs on the path's normal
 * form ({@link RawPath#normalised()}), not on the raw path: the route matched decoded segments, so
 * {@code /api/%72x/secret} reached this route as {@code /api/rx/secret} and must be rewritten like it,
 * or a client could choose a spelling that skips the rewrite. A path the regex does not match goes on
 * raw, byte for byte; a rewritten one goes on in normal form (equivalent for any conforming server,
 * and encoded {@code /} stays {@code %2F}). The result is parsed again so a rewrite can never produce
 * a dot segment or an empty path.
 */
public final class PathRewriter {
    private final RewriteConfig config;
    private final List<String> stripSegments;

    public PathRewriter(RewriteConfig config) {
        this.config = config;
        this.stripSegments = config.stripPrefix() == null || config.stripPrefix().equals("/")
                ? List.of()
                : List.of(config.stripPrefix().substring(1).split("/"));
    }

    public String rewrite(RawPath path) {
        if (config.isNone()) {
            return path.raw();
        }
        if (config.regex() != null) {
            Matcher m = config.regex().matcher(path.normalised());
            if (!m.find()) {
                return path.raw();
            }
            String result = m.replaceFirst(config.replacement());
            // The result is re-validated: the regex and replacement are the operator's, but the
            // captured text is the client's.
            RawPath.parse(result.isEmpty() ? "/" : result, true);
            return result;
        }
        int skip = 0;
        if (!stripSegments.isEmpty() && startsWith(path.segments(), stripSegments)) {
            skip = stripSegments.size();
        }
        String rest = path.rawSuffix(skip);
        String add = config.addPrefix() == null || config.addPrefix().equals("/") ? "" : config.addPrefix();
        String result = add + rest;
        return result.isEmpty() ? "/" : result;
    }

    private static boolean startsWith(List<String> segments, List<String> prefix) {
        if (segments.size() < prefix.size()) {
            return false;
        }
        for (int i = 0; i < prefix.size(); i++) {
            if (!segments.get(i).equals(prefix.get(i))) {
                return false;
            }
        }
        return true;
    }
}
