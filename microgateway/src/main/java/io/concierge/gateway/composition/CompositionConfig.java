package io.concierge.gateway.composition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import io.concierge.gateway.config.ByteSizes;
import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.ratelimit.RateLimitConfig;
import io.concierge.gateway.rewrite.RawPath;
import io.concierge.gateway.routing.PathPattern;
import io.concierge.gateway.security.Access;
import io.concierge.gateway.security.RouteAuthConfig;
import io.concierge.gateway.security.SecurityConfig;
import io.concierge.gateway.transform.TransformConfig;

/**
 * One entry of {@code compositions} in {@code gateway.yaml}: a GET endpoint answered by merging the
 * JSON of several calls. Documented key by key in docs/composition.md.
 *
 * @param id             unique among routes and compositions
 * @param path           the endpoint's path pattern ({@code {name}} parameters)
 * @param auth           who may call the endpoint: the same {@code auth}/{@code ip} keys as a route
 * @param rateLimits     the same {@code rate-limits} as a route
 * @param timeout        the whole endpoint's budget (default 10s); every call runs within it
 * @param maxPartSize    largest response body of one call, buffered (default 1MB)
 * @param fanOutConcurrency calls of one fan-out in flight at once (default 8)
 * @param maxFanOut      most elements a fan-out may have (default 100)
 * @param calls          in declaration order, which is also the order of placement
 * @param transform      the response transformation of the merged answer (no request part), default none
 */
public record CompositionConfig(String id, String path, RouteAuthConfig auth, List<RateLimitConfig> rateLimits,
                                Duration timeout, long maxPartSize, int fanOutConcurrency, int maxFanOut,
                                List<Call> calls, TransformConfig transform) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_MAX_PART_SIZE = 1024 * 1024;
    static final Set<String> RESERVED = Set.of("path", "query", "caller", "each");

    /**
     * One call of a composition.
     *
     * @param name      unique within the composition; how expressions refer to its result
     * @param service   a local service (called through this gateway's own route for the path), or null
     * @param domain    another domain (called gateway to gateway, found in discovery), or null
     * @param path      the request target, with {@code ${...}} placeholders
     * @param forEach   one call per element of this list ({@code ${each}} in the path), or null
     * @param dependsOn calls whose results this one needs (from its expressions and {@code depends-on})
     * @param at        where the result goes (default: a field named like the call)
     * @param pick      fields of the result to keep (default all)
     * @param rename    field renames applied after pick
     * @param required  a failure fails the endpoint (default true)
     * @param fallback  the value used when an optional call fails (default null)
     * @param timeout   this call's limit, inside the endpoint's budget (default: the budget)
     * @param onlyWithCaller {@code when: authenticated}: made only for a request with a verified caller;
     *                  skipped otherwise (nothing placed, not partial), so an optional-access endpoint
     *                  can add the caller's own data when a token was sent
     */
    public record Call(String name, String service, String domain, PathTemplate path, Expression forEach,
                       Set<String> dependsOn, Placement at, List<String> pick, Map<String, String> rename,
                       boolean required, JsonNode fallback, Duration timeout, boolean onlyWithCaller) {
    }

    /** Domains this composition calls. */
    public Set<String> domains() {
        Set<String> d = new LinkedHashSet<>();
        calls.forEach(c -> {
            if (c.domain() != null) {
                d.add(c.domain());
            }
        });
        return d;
    }

    /**
     * Reads and checks {@code compositions}: everything that can be wrong with one is an error here,
     * naming the file and YAML path, so it never surprises at request time.
     */
    public static List<CompositionConfig> readAll(ConfigNode root, String domain, List<String> prefixes,
                                                  LocalGateway gateway, SecurityConfig security) {
        List<CompositionConfig> result = new ArrayList<>();
        Set<String> ids = new HashSet<>(gateway.routeIds());
        for (ConfigNode node : root.objectList("compositions")) {
            CompositionConfig c = read(node, domain, gateway, security);
            if (!ids.add(c.id())) {
                throw node.error("id", "duplicate id '" + c.id() + "' (route and composition ids share one namespace)");
            }
            PathPattern pattern = PathPattern.compile(c.path());
            if (prefixes.stream().noneMatch(pattern::isWithin)) {
                throw node.error("match.path", "'" + c.path() + "' is outside the domain's prefixes " + prefixes);
            }
            gateway.checkNotShadowed(node, c, pattern);
            result.add(c);
        }
        // A local call that a composition would answer could call itself forever.
        for (int i = 0; i < result.size(); i++) {
            for (Call call : result.get(i).calls()) {
                if (call.service() == null) {
                    continue;
                }
                List<String> segments = segments(call.path().sample("x"));
                for (CompositionConfig other : result) {
                    if (PathPattern.compile(other.path()).match(segments) != null) {
                        throw new ConfigException(root.file(), "compositions[" + i + "].calls", "the call '"
                                + call.name() + "' ('" + call.path() + "') would be answered by the composition '"
                                + other.id() + "', not by a route");
                    }
                }
            }
        }
        return result;
    }

    static CompositionConfig read(ConfigNode node, String domain, LocalGateway gateway, SecurityConfig security) {
        String id = node.requiredString("id");
        ConfigNode match = node.object("match");
        String path = match.requiredString("path");
        PathPattern pattern;
        try {
            pattern = PathPattern.compile(path);
        } catch (IllegalArgumentException e) {
            throw match.error("path", e.getMessage());
        }
        match.rejectUnknownKeys();
        RouteAuthConfig auth = RouteAuthConfig.read(node);
        List<RateLimitConfig> rateLimits = RateLimitConfig.readAll(node, "rate-limits");
        Duration timeout = node.duration("timeout", DEFAULT_TIMEOUT);
        if (timeout.isZero() || timeout.isNegative()) {
            throw node.error("timeout", "must be positive");
        }
        long maxPart = ByteSizes.read(node, "max-part-size", 1, 256L * 1024 * 1024);
        ConfigNode fanOut = node.object("fan-out");
        int concurrency = fanOut.integer("max-concurrency", 8, 1, 256);
        int maxItems = fanOut.integer("max-items", 100, 1, 10_000);
        fanOut.rejectUnknownKeys();
        security.checkRoute(node.file(), node.child("auth"), "endpoint", auth);
        Access access = auth.effectiveAccess(security);

        List<ConfigNode> callNodes = node.objectList("calls");
        if (callNodes.isEmpty()) {
            throw node.error("calls", "a composition needs at least one call");
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < callNodes.size(); i++) {
            String name = callNodes.get(i).requiredString("name");
            if (!name.matches("[a-z][A-Za-z0-9_]{0,63}")) {
                throw callNodes.get(i).error("name", "must be a letter followed by letters, digits or '_' (was '" + name + "')");
            }
            if (RESERVED.contains(name)) {
                throw callNodes.get(i).error("name", "'" + name + "' is reserved (path, query, caller, each)");
            }
            if (index.put(name, i) != null) {
                throw callNodes.get(i).error("name", "duplicate call name '" + name + "'");
            }
        }
        List<Call> calls = new ArrayList<>();
        Map<String, String> placed = new HashMap<>();
        for (ConfigNode c : callNodes) {
            Call call = readCall(c, timeout, index.keySet(), pattern, access, domain, gateway);
            String other = call.at().isRoot() ? null : placed.putIfAbsent(call.at().toString(), call.name());
            if (other != null) {
                throw c.error("at", "'" + call.at() + "' is already the place of the call '" + other + "'");
            }
            calls.add(call);
        }
        TransformConfig transform = TransformConfig.read(node.object("transform"), false);
        node.rejectUnknownKeys();
        checkGraph(callNodes, calls, index);
        return new CompositionConfig(id, path, auth, rateLimits, timeout,
                maxPart < 0 ? DEFAULT_MAX_PART_SIZE : maxPart, concurrency, maxItems, List.copyOf(calls), transform);
    }

    private static Call readCall(ConfigNode node, Duration budget, Set<String> callNames, PathPattern endpoint,
                                 Access access, String ownDomain, LocalGateway gateway) {
        String name = node.requiredString("name");
        String service = node.string("service", null);
        String domain = node.string("domain", null);
        if ((service == null) == (domain == null)) {
            throw node.error("exactly one of 'service' (this gateway's) and 'domain' (another gateway's) is required");
        }
        if (service != null && !gateway.serviceNames().contains(service)) {
            throw node.error("service", "unknown service '" + service + "' (services: "
                    + String.join(", ", gateway.serviceNames()) + ")");
        }
        if (domain != null && domain.equals(ownDomain)) {
            throw node.error("domain", "'" + domain + "' is this gateway's own domain; use 'service' for local calls");
        }
        if (domain != null && !domain.matches("[a-z][a-z0-9-]{0,62}")) {
            throw node.error("domain", "not a domain name: '" + domain + "'");
        }
        String when = node.string("when", null);
        if (when != null && !when.equals("authenticated")) {
            throw node.error("when", "the only condition is 'authenticated' (was '" + when + "')");
        }
        boolean onlyWithCaller = when != null;
        if (onlyWithCaller && access == Access.PUBLIC) {
            throw node.error("when", "a public endpoint never verifies a caller; use access: optional");
        }
        String pathText = node.requiredString("path");
        PathTemplate path;
        try {
            path = PathTemplate.parse(pathText);
        } catch (IllegalArgumentException e) {
            throw node.error("path", e.getMessage());
        }
        Expression forEach = null;
        if (node.has("for-each")) {
            String text = node.requiredString("for-each");
            if (!text.startsWith("${") || !text.endsWith("}")) {
                throw node.error("for-each", "must be one ${...} expression (was '" + text + "')");
            }
            try {
                forEach = Expression.parse(text.substring(2, text.length() - 1));
            } catch (IllegalArgumentException e) {
                throw node.error("for-each", e.getMessage());
            }
            if (forEach.source().equals("each")) {
                throw node.error("for-each", "${each} exists only inside a fan-out");
            }
        }
        Set<String> deps = new LinkedHashSet<>();
        List<Expression> all = new ArrayList<>(path.expressions());
        if (forEach != null) {
            all.add(forEach);
        }
        boolean usesEach = false;
        for (Expression e : all) {
            String key = e == forEach ? "for-each" : "path";
            switch (e.source()) {
                case "each" -> usesEach = true;
                case "path" -> {
                    if (!endpoint.parameterNames().contains(e.firstField())) {
                        throw node.error(key, e + ": the endpoint's path '" + endpoint.text() + "' has no {"
                                + e.firstField() + "} parameter");
                    }
                }
                case "query" -> {
                    if (e.firstField() == null) {
                        throw node.error(key, e + " must name a query parameter, e.g. ${query.page}");
                    }
                }
                case "caller" -> {
                    if (!"subject".equals(e.firstField()) && !"consumer".equals(e.firstField())) {
                        throw node.error(key, e + ": the caller has 'subject' and 'consumer'");
                    }
                    if (access == Access.PUBLIC || (access == Access.OPTIONAL && !onlyWithCaller)) {
                        throw node.error(key, e + " needs a verified caller, but the endpoint's access is "
                                + access.name().toLowerCase() + (access == Access.OPTIONAL
                                ? " (add 'when: authenticated' to make the call only for a verified caller)" : ""));
                    }
                }
                default -> {
                    if (!callNames.contains(e.source())) {
                        throw node.error(key, e + " refers to an unknown call '" + e.source() + "' (calls: "
                                + String.join(", ", callNames) + ")");
                    }
                    if (e.source().equals(name)) {
                        throw node.error(key, e + " refers to the call itself");
                    }
                    deps.add(e.source());
                }
            }
        }
        if (forEach != null && !usesEach) {
            throw node.error("path", "a for-each call must use ${each} in its path");
        }
        if (forEach == null && usesEach) {
            throw node.error("path", "${each} needs for-each");
        }
        List<String> explicit = node.stringList("depends-on");
        for (int i = 0; i < explicit.size(); i++) {
            if (!callNames.contains(explicit.get(i)) || explicit.get(i).equals(name)) {
                throw node.error("depends-on[" + i + "]", "unknown call '" + explicit.get(i) + "'");
            }
            deps.add(explicit.get(i));
        }
        Placement at;
        try {
            at = Placement.parse(node.string("at", name));
        } catch (IllegalArgumentException e) {
            throw node.error("at", e.getMessage());
        }
        if (at.perElement() && forEach == null) {
            throw node.error("at", "'" + at + "' places one result per element; it needs for-each");
        }
        if (at.isRoot() && forEach != null) {
            throw node.error("at", "a fan-out's results are a list; '.' needs an object");
        }
        List<String> pick = node.stringList("pick");
        Map<String, String> rename = node.stringMap("rename");
        boolean required = node.bool("required", true);
        JsonNode fallback = node.value("default");
        if (fallback != null && required) {
            throw node.error("default", "only an optional call (required: false) has a default");
        }
        Duration timeout = node.duration("timeout", budget);
        if (timeout.isZero() || timeout.isNegative()) {
            throw node.error("timeout", "must be positive");
        }
        if (timeout.compareTo(budget) > 0) {
            throw node.error("timeout", timeout.toMillis() + " ms is more than the composition's timeout of "
                    + budget.toMillis() + " ms");
        }
        if (service != null) {
            gateway.checkLocalCall(node, service, path);
        }
        node.rejectUnknownKeys();
        return new Call(name, service, domain, path, forEach, Set.copyOf(deps), at, List.copyOf(pick),
                Map.copyOf(rename), required, fallback == null ? NullNode.getInstance() : fallback, timeout,
                onlyWithCaller);
    }

    /** A sample path's segments, as this gateway's router sees a request's path. */
    private static List<String> segments(String samplePath) {
        return RawPath.parse(samplePath, false).segments();
    }

    /** Unknown names were refused while reading; here: cycles, and required calls that need optional ones. */
    private static void checkGraph(List<ConfigNode> nodes, List<Call> calls, Map<String, Integer> index) {
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            for (String d : c.dependsOn()) {
                Call dep = calls.get(index.get(d));
                if (dep.onlyWithCaller() && !c.onlyWithCaller()) {
                    throw nodes.get(i).error("when", "the call '" + c.name() + "' depends on '" + d + "', which is made"
                            + " only for a verified caller; give it 'when: authenticated' too");
                }
                if (c.required() && !dep.required()) {
                    throw nodes.get(i).error("required", "the required call '" + c.name() + "' depends on the"
                            + " optional call '" + d + "'; make it optional too, or '" + d + "' required");
                }
            }
        }
        int[] state = new int[calls.size()]; // 0 new, 1 on the stack, 2 done
        for (int i = 0; i < calls.size(); i++) {
            List<String> stack = new ArrayList<>();
            if (cycle(i, calls, index, state, stack)) {
                throw new ConfigException(nodes.get(i).file(), nodes.get(i).path(), "calls depend on each other in a"
                        + " cycle: " + String.join(" -> ", stack));
            }
        }
    }

    private static boolean cycle(int i, List<Call> calls, Map<String, Integer> index, int[] state, List<String> stack) {
        if (state[i] == 2) {
            return false;
        }
        stack.add(calls.get(i).name());
        if (state[i] == 1) {
            return true;
        }
        state[i] = 1;
        for (String d : calls.get(i).dependsOn()) {
            if (cycle(index.get(d), calls, index, state, stack)) {
                return true;
            }
        }
        state[i] = 2;
        stack.remove(stack.size() - 1);
        return false;
    }
}
