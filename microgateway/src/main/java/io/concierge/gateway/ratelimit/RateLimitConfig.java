package io.concierge.gateway.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.routing.PathPattern;

/**
 * One entry of a {@code rate-limits} list (domain level, route level or edge level). Every key is
 * documented in docs/rate-limiting.md; anything else is rejected at load.
 *
 * @param file           the YAML file, for errors found after load
 * @param path           the YAML path of this entry, e.g. {@code routes[0].rate-limits[1]}
 * @param name           required; the policy name in {@code RateLimit-Policy}, unique in its scope
 * @param key            what the counter is per (default {@code client-ip}; {@code consumer} with plans)
 * @param algorithm      default {@code sliding-window}
 * @param quota          limit, window and burst; null when {@code plans} is set
 * @param mode           default {@code fast}
 * @param syncInterval   fast mode: how often leases are reconciled with the cluster (default 100ms)
 * @param clusterTimeout bound on every cluster call before deciding locally (default 500ms)
 * @param enforce        false = shadow mode: decide, count and log, never reject (default true)
 * @param legacyHeaders  also send {@code X-RateLimit-Limit/-Remaining/-Reset} (default false)
 * @param maxKeys        distinct keys tracked per instance; a new key then evicts the least recently used one (default 100000)
 * @param paths          the limit applies only to these path patterns (default: every path)
 * @param methods        the limit applies only to these methods (default: every method)
 * @param plans          usage plans: the quota comes from the consumer's tier (default none)
 */
public record RateLimitConfig(String file, String path, String name, List<KeyPart> key, Algorithm algorithm,
                              Tier quota, Mode mode, Duration syncInterval, Duration clusterTimeout, boolean enforce,
                              boolean legacyHeaders, int maxKeys, List<String> paths, Set<String> methods,
                              UsagePlans plans) {

    /**
     * This limit without where it was read (file, YAML path): how a reload recognises the same limit
     * after other routes or limits moved it in the file.
     */
    public RateLimitConfig withoutSource() {
        return new RateLimitConfig(null, null, name, key, algorithm, quota, mode, syncInterval, clusterTimeout, enforce,
                legacyHeaders, maxKeys, paths, methods, plans);
    }

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_CLUSTER_TIMEOUT = Duration.ofMillis(500);
    public static final int DEFAULT_MAX_KEYS = 100_000;
    static final int MAX_LIMIT = 1_000_000_000;
    static final int MAX_BURST_FACTOR = 1000;

    private static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";
    private static final String TOKEN_PATTERN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
    private static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE");

    /** Where the counting happens. */
    public enum Mode {
        /** Every decision is one atomic entry-processor call on the cluster. */
        STRICT,
        /** Decisions are local against a lease of the cluster budget, reconciled every sync interval. */
        FAST,
        /** Per-instance counters only; nothing is shared. */
        LOCAL;

        static Mode parse(String s) {
            return switch (s) {
                case "strict" -> STRICT;
                case "fast" -> FAST;
                case "local" -> LOCAL;
                default -> null;
            };
        }

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Algorithm {
        SLIDING_WINDOW("sliding-window"), TOKEN_BUCKET("token-bucket");

        private final String text;

        Algorithm(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        static Algorithm parse(String s) {
            for (Algorithm a : values()) {
                if (a.text.equals(s)) {
                    return a;
                }
            }
            return null;
        }
    }

    /** One part of a limit's key; several parts make a combined key. */
    public record KeyPart(Kind kind, String header) {
        public enum Kind { CLIENT_IP, CONSUMER, ROUTE, HEADER }

        static final String ALLOWED = "client-ip, consumer, route, header:<Header-Name>";

        static KeyPart parse(String text) {
            return switch (text) {
                case "client-ip" -> new KeyPart(Kind.CLIENT_IP, null);
                case "consumer" -> new KeyPart(Kind.CONSUMER, null);
                case "route" -> new KeyPart(Kind.ROUTE, null);
                default -> {
                    if (text.startsWith("header:") && text.substring(7).matches(TOKEN_PATTERN)) {
                        yield new KeyPart(Kind.HEADER, text.substring(7));
                    }
                    yield null;
                }
            };
        }

        public String text() {
            return switch (kind) {
                case CLIENT_IP -> "client-ip";
                case CONSUMER -> "consumer";
                case ROUTE -> "route";
                case HEADER -> "header:" + header;
            };
        }
    }

    /**
     * A quota: {@code limit} requests per {@code window}; for the token bucket, {@code burst} is the
     * bucket's capacity (default: the limit).
     */
    public record Tier(int limit, Duration window, int burst) {
    }

    /**
     * Usage plans (as in AWS API Gateway): named tiers, the consumers assigned to each, and the tier
     * of every other caller (unlisted consumers and unauthenticated requests).
     */
    public record UsagePlans(Map<String, Tier> tiers, Map<String, String> consumers, String defaultTier) {
        public Tier tierOf(String consumer) {
            String t = consumer == null ? null : consumers.get(consumer);
            return tiers.get(t == null ? defaultTier : t);
        }

        public String tierName(String consumer) {
            String t = consumer == null ? null : consumers.get(consumer);
            return t == null ? defaultTier : t;
        }
    }

    /** Reads the list under {@code key} of {@code parent} (absent: empty). */
    public static List<RateLimitConfig> readAll(ConfigNode parent, String key) {
        List<RateLimitConfig> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ConfigNode n : parent.objectList(key)) {
            RateLimitConfig c = read(n);
            if (!names.add(c.name())) {
                throw n.error("name", "duplicate rate limit name '" + c.name() + "'");
            }
            result.add(c);
        }
        return List.copyOf(result);
    }

    /**
     * An endpoint's limits and the domain's limits both apply to the endpoint's requests, and their
     * names are the policy names in the response headers, so an endpoint (a route or a composition)
     * may not reuse a domain-level name. The top-level config calls it for each endpoint.
     */
    public static void checkNotDomainNames(List<RateLimitConfig> domainLimits, List<RateLimitConfig> endpointLimits) {
        for (RateLimitConfig l : endpointLimits) {
            for (RateLimitConfig d : domainLimits) {
                if (d.name().equals(l.name())) {
                    throw new ConfigException(l.file(), l.path() + ".name", "rate limit name '" + l.name()
                            + "' is already used by a domain-level rate limit");
                }
            }
        }
    }

    static RateLimitConfig read(ConfigNode node) {
        String name = node.requiredString("name");
        if (!name.matches(NAME_PATTERN)) {
            throw node.error("name", "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit (was '"
                    + name + "')");
        }
        Algorithm algorithm = node.choice("algorithm", Algorithm.SLIDING_WINDOW, Algorithm::parse,
                "sliding-window, token-bucket");
        UsagePlans plans = node.has("plans") ? readPlans(node.object("plans"), algorithm) : null;

        List<String> keyTexts = node.stringList("key");
        List<KeyPart> key = new ArrayList<>();
        for (String t : keyTexts) {
            KeyPart p = KeyPart.parse(t.trim());
            if (p == null) {
                throw node.error("key", "unknown key part '" + t + "' (allowed: " + KeyPart.ALLOWED + ")");
            }
            if (key.contains(p)) {
                throw node.error("key", "'" + t + "' appears twice");
            }
            key.add(p);
        }
        if (key.isEmpty()) {
            key.add(new KeyPart(plans != null ? KeyPart.Kind.CONSUMER : KeyPart.Kind.CLIENT_IP, null));
        }
        if (plans != null && key.stream().noneMatch(p -> p.kind() == KeyPart.Kind.CONSUMER)) {
            throw node.error("key", "a limit with plans counts per consumer: the key must include 'consumer'");
        }

        Tier quota = null;
        if (plans != null) {
            for (String k : List.of("limit", "window", "burst")) {
                if (node.has(k)) {
                    throw node.error(k, "not allowed together with plans (set it per tier)");
                }
            }
        } else {
            if (!node.has("limit")) {
                throw node.error("limit", "is required (or give plans)");
            }
            quota = readTier(node, algorithm);
        }

        Mode mode = node.choice("mode", Mode.FAST, Mode::parse, "strict, fast, local");
        if (mode != Mode.FAST && node.has("sync-interval")) {
            throw node.error("sync-interval", "only a limit in mode 'fast' has a sync interval (mode is '"
                    + mode.text() + "')");
        }
        if (mode == Mode.LOCAL && node.has("cluster-timeout")) {
            throw node.error("cluster-timeout", "a limit in mode 'local' makes no cluster calls");
        }
        Duration sync = node.duration("sync-interval", DEFAULT_SYNC_INTERVAL);
        checkRange(node, "sync-interval", sync, Duration.ofMillis(10), Duration.ofSeconds(10));
        Duration timeout = node.duration("cluster-timeout", DEFAULT_CLUSTER_TIMEOUT);
        checkRange(node, "cluster-timeout", timeout, Duration.ofMillis(10), Duration.ofSeconds(10));
        boolean enforce = node.bool("enforce", true);
        boolean legacy = node.bool("legacy-headers", false);
        int maxKeys = node.integer("max-keys", DEFAULT_MAX_KEYS, 100, 10_000_000);

        ConfigNode match = node.object("match");
        List<String> paths = match.stringList("paths");
        for (int i = 0; i < paths.size(); i++) {
            try {
                PathPattern.compile(paths.get(i));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(match.file(), match.child("paths") + "[" + i + "]", e.getMessage());
            }
        }
        Set<String> methods = new LinkedHashSet<>();
        for (String m : match.stringList("methods")) {
            String upper = m.toUpperCase(Locale.ROOT);
            if (!KNOWN_METHODS.contains(upper)) {
                throw match.error("methods", "unknown HTTP method '" + m + "'");
            }
            methods.add(upper);
        }
        match.rejectUnknownKeys();
        node.rejectUnknownKeys();
        return new RateLimitConfig(node.file(), node.path(), name, List.copyOf(key), algorithm, quota, mode, sync,
                timeout, enforce, legacy, maxKeys, List.copyOf(paths), Set.copyOf(methods), plans);
    }

    private static Tier readTier(ConfigNode node, Algorithm algorithm) {
        if (!node.has("limit")) {
            throw node.error("limit", "is required");
        }
        int limit = node.integer("limit", 0, 1, MAX_LIMIT);
        if (node.has("burst") && algorithm != Algorithm.TOKEN_BUCKET) {
            throw node.error("burst", "only the token-bucket algorithm has a burst (set algorithm: token-bucket)");
        }
        Duration window = node.duration("window", DEFAULT_WINDOW);
        checkRange(node, "window", window, Duration.ofSeconds(1), Duration.ofHours(24));
        if (window.toMillis() % 1000 != 0) {
            throw node.error("window", "must be a whole number of seconds (was " + window.toMillis() + "ms)");
        }
        long maxBurst = Math.min(MAX_LIMIT, (long) limit * MAX_BURST_FACTOR);
        int burst = node.integer("burst", limit, 1, MAX_LIMIT);
        if (burst > maxBurst) {
            throw node.error("burst", "may be at most " + MAX_BURST_FACTOR + " times the limit (was " + burst + ")");
        }
        return new Tier(limit, window, burst);
    }

    private static UsagePlans readPlans(ConfigNode node, Algorithm algorithm) {
        Map<String, Tier> tiers = new LinkedHashMap<>();
        node.namedObjects("tiers").forEach((tierName, t) -> {
            if (!tierName.matches(NAME_PATTERN)) {
                throw t.error("tier names are 1-64 letters, digits, '.', '_' or '-'");
            }
            tiers.put(tierName, readTier(t, algorithm));
            t.rejectUnknownKeys();
        });
        if (tiers.isEmpty()) {
            throw node.error("tiers", "at least one tier is required");
        }
        String def = node.requiredString("default");
        if (!tiers.containsKey(def)) {
            throw node.error("default", "unknown tier '" + def + "' (tiers: " + String.join(", ", tiers.keySet()) + ")");
        }
        Map<String, String> consumers = node.stringMap("consumers");
        for (Map.Entry<String, String> e : consumers.entrySet()) {
            if (!tiers.containsKey(e.getValue())) {
                throw node.error("consumers." + e.getKey(), "unknown tier '" + e.getValue() + "' (tiers: "
                        + String.join(", ", tiers.keySet()) + ")");
            }
        }
        node.rejectUnknownKeys();
        return new UsagePlans(Map.copyOf(tiers), Map.copyOf(consumers), def);
    }

    private static void checkRange(ConfigNode node, String key, Duration d, Duration min, Duration max) {
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw node.error(key, "must be between " + Durations.text(min) + " and " + Durations.text(max) + " (was "
                    + Durations.text(d) + ")");
        }
    }

    /** Formats durations the way the configuration writes them. */
    static final class Durations {
        private Durations() {
        }

        static String text(Duration d) {
            long ms = d.toMillis();
            if (ms % 3_600_000 == 0) {
                return ms / 3_600_000 + "h";
            }
            if (ms % 60_000 == 0) {
                return ms / 60_000 + "m";
            }
            if (ms % 1000 == 0) {
                return ms / 1000 + "s";
            }
            return ms + "ms";
        }
    }
}
