package io.concierge.gateway.versioning;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.config.Prefixes;
import io.concierge.gateway.rewrite.RewriteConfig;
import io.concierge.gateway.routing.PathPattern;
import io.concierge.gateway.transform.TransformConfig;

/**
 * One entry of {@code versioning} in {@code gateway.yaml}: a group of routes that share their API
 * versions, how a request selects one, and what each version changes (docs/versioning.md).
 *
 * @param id         names the group in metrics
 * @param routes     the ids of the routes in the group
 * @param defaultVersion the version of a request that selects none
 * @param urlPrefix  selector 1: {@code /api} makes {@code /api/v2/...} version 2 (null: off)
 * @param header     selector 2: a header whose value is the version, e.g. {@code API-Version} (null: off)
 * @param mediaType  selector 3: a media type in {@code Accept} with {@code {version}} in it (null: off)
 * @param query      selector 4: a query parameter, e.g. {@code version} (null: off)
 * @param versions   in declaration order
 */
public record VersioningConfig(String id, List<String> routes, String defaultVersion, String urlPrefix, String header,
                               String mediaType, String query, List<ApiVersion> versions) {

    static final String PLACEHOLDER = "{version}";

    /**
     * One version of the group.
     *
     * @param name        the version as clients write it ({@code 2}); in a URL, {@code v2}
     * @param deprecation null unless deprecated
     * @param transform   what the gateway changes for this version (often the response body), or none
     * @param rewrite     the version's own upstream path, applied before the route's {@code rewrite}, or none
     * @param service     a service of the gateway that serves this version instead of the route's own, or null
     */
    public record ApiVersion(String name, Deprecation deprecation, TransformConfig transform, RewriteConfig rewrite,
                             String service) {
    }

    /**
     * @param since     when it was deprecated ({@code Deprecation: @<epoch seconds>}, RFC 9745)
     * @param sunset    when it stops working ({@code Sunset}, RFC 8594), or null
     * @param successor a version of the group whose URL the {@code successor-version} link names, or null
     * @param link      a literal successor link instead, or null
     */
    public record Deprecation(Instant since, Instant sunset, String successor, String link) {
    }

    public ApiVersion version(String name) {
        for (ApiVersion v : versions) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        return null;
    }

    /** Whether a version names its own service (the route's backend then depends on the version). */
    public boolean namesServices() {
        return versions.stream().anyMatch(v -> v.service() != null);
    }

    /** The names of the versions, in declaration order, for the 400 that lists them. */
    public List<String> names() {
        return versions.stream().map(ApiVersion::name).toList();
    }

    /** The route path of {@code version} under the URL selector: {@code /api/products} → {@code /api/v2/products}. */
    public String versionedPath(String routePath, String version) {
        return urlPrefix + "/v" + version + routePath.substring(urlPrefix.length());
    }

    /**
     * Reads every group and checks it against the routes and the domain's prefixes.
     *
     * @param routePaths route id → path pattern, in file order
     * @param services   the names of the gateway's services, which a version may name
     */
    public static List<VersioningConfig> readAll(ConfigNode root, Map<String, String> routePaths, List<String> prefixes,
                                                 Set<String> services) {
        List<VersioningConfig> groups = new ArrayList<>();
        Map<String, String> grouped = new HashMap<>();
        for (ConfigNode n : root.objectList("versioning")) {
            VersioningConfig g = read(n, routePaths, prefixes, services);
            for (String r : g.routes()) {
                String other = grouped.putIfAbsent(r, g.id());
                if (other != null) {
                    throw n.error("routes", "the route '" + r + "' is already in the versioning group '" + other + "'");
                }
            }
            if (groups.stream().anyMatch(o -> o.id().equals(g.id()))) {
                throw n.error("id", "duplicate versioning group id '" + g.id() + "'");
            }
            groups.add(g);
        }
        return List.copyOf(groups);
    }

    private static VersioningConfig read(ConfigNode n, Map<String, String> routePaths, List<String> prefixes,
                                         Set<String> services) {
        String id = n.requiredString("id");
        List<String> routes = n.stringList("routes");
        if (routes.isEmpty()) {
            throw n.error("routes", "a versioning group needs at least one route");
        }
        for (int i = 0; i < routes.size(); i++) {
            if (!routePaths.containsKey(routes.get(i))) {
                throw n.error("routes[" + i + "]", "unknown route '" + routes.get(i) + "' (routes: "
                        + String.join(", ", routePaths.keySet()) + ")");
            }
        }
        String urlPrefix = n.string("url-prefix", null);
        if (urlPrefix != null) {
            Prefixes.validate(urlPrefix, n, "url-prefix");
        }
        String header = n.string("header", null);
        if (header != null && !isToken(header)) {
            throw n.error("header", "'" + header + "' is not a valid header name");
        }
        String mediaType = n.string("media-type", null);
        if (mediaType != null) {
            int at = mediaType.indexOf(PLACEHOLDER);
            if (at <= 0 || at != mediaType.lastIndexOf(PLACEHOLDER) || at + PLACEHOLDER.length() == mediaType.length()
                    || mediaType.indexOf('/') < 0 || mediaType.indexOf(';') >= 0 || mediaType.indexOf(',') >= 0) {
                throw n.error("media-type", "must be a media type with {version} once inside it, e.g."
                        + " application/vnd.example.v{version}+json (was '" + mediaType + "')");
            }
        }
        String query = n.string("query", null);
        if (query != null && (query.isEmpty() || !isToken(query))) {
            throw n.error("query", "'" + query + "' is not a plain query parameter name");
        }
        if (urlPrefix == null && header == null && mediaType == null && query == null) {
            throw n.error("a versioning group needs at least one selector: url-prefix, header, media-type or query");
        }
        List<ConfigNode> versionNodes = n.objectList("versions");
        if (versionNodes.isEmpty()) {
            throw n.error("versions", "a versioning group needs at least one version");
        }
        Map<String, ConfigNode> names = new LinkedHashMap<>();
        for (ConfigNode v : versionNodes) {
            String name = v.requiredString("version");
            if (!isVersionName(name)) {
                throw v.error("version", "a version is 1 to 16 letters, digits or '.' (was '" + name + "')");
            }
            if (names.put(name, v) != null) {
                throw v.error("version", "duplicate version '" + name + "'");
            }
        }
        List<ApiVersion> versions = new ArrayList<>();
        for (ConfigNode v : versionNodes) {
            String name = v.requiredString("version");
            Deprecation d = v.has("deprecated") ? deprecation(v.object("deprecated"), name, names.keySet(), urlPrefix)
                    : null;
            TransformConfig t = TransformConfig.read(v.object("transform"), true);
            RewriteConfig rw = v.has("rewrite") ? RewriteConfig.read(v.object("rewrite")) : RewriteConfig.NONE;
            String service = v.string("service", null);
            if (service != null && !services.contains(service)) {
                throw v.error("service", "unknown service '" + service + "' (services: " + String.join(", ", services)
                        + ")");
            }
            v.rejectUnknownKeys();
            versions.add(new ApiVersion(name, d, t, rw, service));
        }
        String defaultVersion = n.requiredString("default");
        if (!names.containsKey(defaultVersion)) {
            throw n.error("default", "'" + defaultVersion + "' is not one of the versions " + names.keySet());
        }
        n.rejectUnknownKeys();
        VersioningConfig g = new VersioningConfig(id, List.copyOf(routes), defaultVersion, urlPrefix, header,
                mediaType, query, List.copyOf(versions));
        if (urlPrefix != null) {
            for (int i = 0; i < routes.size(); i++) {
                String path = routePaths.get(routes.get(i));
                if (!Prefixes.covers(urlPrefix, path) || path.equals(urlPrefix)) {
                    throw n.error("url-prefix", "the route '" + routes.get(i) + "' ('" + path
                            + "') does not continue below the url-prefix '" + urlPrefix + "'");
                }
                String next = path.substring(urlPrefix.equals("/") ? 1 : urlPrefix.length() + 1).split("/")[0];
                if (next.startsWith("{") || next.equals("**") || (next.length() > 1 && next.charAt(0) == 'v'
                        && names.containsKey(next.substring(1)))) {
                    // /api/{x}/items would take the v2 of /api/v2/items for a version segment.
                    throw n.error("url-prefix", "the route '" + routes.get(i) + "' ('" + path + "') must continue"
                            + " below the url-prefix with a literal segment that is not a version segment");
                }
                for (ApiVersion v : versions) {
                    String versioned = g.versionedPath(path, v.name());
                    PathPattern p = PathPattern.compile(versioned);
                    if (prefixes.stream().noneMatch(p::isWithin)) {
                        throw n.error("url-prefix", "'" + versioned + "' (route '" + routes.get(i) + "', version "
                                + v.name() + ") is outside the domain's prefixes " + prefixes
                                + "; add its prefix so the edge routes it here");
                    }
                }
            }
        }
        return g;
    }

    private static Deprecation deprecation(ConfigNode d, String self, Set<String> names, String urlPrefix) {
        Instant since = instant(d, "since");
        if (since == null) {
            throw d.error("since", "is required: when the version was deprecated (e.g. 2026-12-01T00:00:00Z)");
        }
        Instant sunset = instant(d, "sunset");
        if (sunset != null && sunset.isBefore(since)) {
            throw d.error("sunset", "is before 'since'");
        }
        String successor = d.string("successor", null);
        String link = d.string("link", null);
        if (successor != null && link != null) {
            throw d.error("successor", "give either 'successor' (a version) or 'link' (a URI), not both");
        }
        if (successor != null) {
            if (!names.contains(successor) || successor.equals(self)) {
                throw d.error("successor", "'" + successor + "' is not another version of the group " + names);
            }
            if (urlPrefix == null) {
                throw d.error("successor", "a successor version is linked by its URL, which needs url-prefix;"
                        + " give 'link' instead");
            }
        }
        if (link != null) {
            for (int i = 0; i < link.length(); i++) {
                char c = link.charAt(i);
                if (c <= ' ' || c == '<' || c == '>' || c == 0x7f) {
                    throw d.error("link", "not a URI reference: '" + link + "'");
                }
            }
        }
        d.rejectUnknownKeys();
        return new Deprecation(since, sunset, successor, link);
    }

    private static Instant instant(ConfigNode d, String key) {
        String text = d.string(key, null);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw d.error(key, "not an ISO-8601 instant such as 2027-06-30T00:00:00Z (was '" + text + "')");
        }
    }

    private static boolean isVersionName(String s) {
        if (s.isEmpty() || s.length() > 16) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }
}
