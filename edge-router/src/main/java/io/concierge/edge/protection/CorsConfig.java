package io.concierge.edge.protection;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.concierge.gateway.config.ConfigNode;

/**
 * CORS at the edge. Origins are compared exactly (scheme, host and port, as the browser sends
 * them); an entry may hold several origins separated by commas, so {@code ${ALLOWED_ORIGINS}}
 * works as one value.
 *
 * @param allowedOrigins   required; {@code *} allows any origin, but never with credentials
 * @param allowedMethods   default GET, HEAD, POST, PUT, PATCH, DELETE
 * @param allowedHeaders   request headers a preflight may ask for (default Authorization, Content-Type, X-Api-Key, X-Request-Id)
 * @param exposedHeaders   response headers scripts may read (default X-Request-Id)
 * @param allowCredentials whether cookies and Authorization may be sent cross-origin (default false)
 * @param maxAge           how long a browser may cache a preflight (default 10m)
 */
public record CorsConfig(Set<String> allowedOrigins, boolean anyOrigin, Set<String> allowedMethods,
                         Set<String> allowedHeaders, List<String> exposedHeaders, boolean allowCredentials,
                         Duration maxAge) {

    static CorsConfig read(ConfigNode node) {
        Set<String> origins = new LinkedHashSet<>();
        boolean any = false;
        List<String> entries = node.stringList("allowed-origins");
        for (int i = 0; i < entries.size(); i++) {
            for (String o : entries.get(i).split(",")) {
                String origin = o.trim();
                if (origin.isEmpty()) {
                    continue;
                }
                if (origin.equals("*")) {
                    any = true;
                } else if (!origin.matches("https?://[A-Za-z0-9.-]+(:\\d{1,5})?") && !origin.matches("https?://\\[[0-9A-Fa-f:.]+](:\\d{1,5})?")) {
                    throw node.error("allowed-origins[" + i + "]", "'" + origin
                            + "' is not an origin (scheme://host[:port], no path or trailing '/')");
                } else {
                    origins.add(origin.toLowerCase(Locale.ROOT));
                }
            }
        }
        if (origins.isEmpty() && !any) {
            throw node.error("allowed-origins", "at least one origin is required");
        }
        boolean credentials = node.bool("allow-credentials", false);
        if (any && credentials) {
            throw node.error("allow-credentials", "cannot be true with allowed-origins '*' (browsers refuse it, and it would let any site act as the user)");
        }
        Set<String> methods = upper(node.stringList("allowed-methods"), Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"));
        Set<String> headers = lower(node.stringList("allowed-headers"),
                List.of("Authorization", "Content-Type", "X-Api-Key", "X-Request-Id"));
        List<String> exposed = node.stringList("exposed-headers");
        Duration maxAge = node.duration("max-age", Duration.ofMinutes(10));
        node.rejectUnknownKeys();
        return new CorsConfig(Set.copyOf(origins), any, methods, headers,
                exposed.isEmpty() ? List.of("X-Request-Id") : List.copyOf(exposed), credentials, maxAge);
    }

    private static Set<String> upper(List<String> values, Set<String> def) {
        if (values.isEmpty()) {
            return def;
        }
        Set<String> s = new LinkedHashSet<>();
        values.forEach(v -> s.add(v.trim().toUpperCase(Locale.ROOT)));
        return Set.copyOf(s);
    }

    private static Set<String> lower(List<String> values, List<String> def) {
        Set<String> s = new LinkedHashSet<>();
        (values.isEmpty() ? def : values).forEach(v -> s.add(v.trim().toLowerCase(Locale.ROOT)));
        return Set.copyOf(s);
    }
}
