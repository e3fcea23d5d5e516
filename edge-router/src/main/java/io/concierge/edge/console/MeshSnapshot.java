package io.concierge.edge.console;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.Registration;

/**
 * The console's view of the mesh, built on demand from discovery, the edge's own state and every
 * registered gateway's admin port ({@link GatewayProbe}, all at once, bounded). Rates and p99 are
 * the difference with the previous sample of each instance, so they cover the last poll interval.
 * An instance seen before that is gone from discovery stays listed as DOWN for
 * {@link #FORGET_AFTER_MILLIS}. A snapshot younger than {@link #REUSE_MILLIS} is reused, so several
 * open consoles do not multiply the calls to the gateways.
 */
final class MeshSnapshot {
    static final long REUSE_MILLIS = 500;
    static final long FORGET_AFTER_MILLIS = 10 * 60_000;
    private static final int MAX_DEPARTED = 64;
    private static final int MAX_ERRORS = 20;
    private static final String DASH = null;

    private final Discovery discovery;
    private final Supplier<Map<String, Object>> edgeView;
    private final GatewayProbe probe;
    private final Map<String, Sample> samples = new HashMap<>();
    private final Map<String, Departed> departed = new LinkedHashMap<>();
    private List<Registration> previous = List.of();
    private Map<String, Object> last;
    private long lastAt;

    private record Sample(MetricsDigest digest, long atNanos) {
    }

    private record Departed(Registration registration, long sinceMillis) {
    }

    MeshSnapshot(Discovery discovery, Supplier<Map<String, Object>> edgeView, GatewayProbe probe) {
        this.discovery = discovery;
        this.edgeView = edgeView;
        this.probe = probe;
    }

    synchronized Map<String, Object> state() {
        long now = System.currentTimeMillis();
        if (last != null && now - lastAt < REUSE_MILLIS) {
            return last;
        }
        last = build(now);
        lastAt = System.currentTimeMillis();
        return last;
    }

    private Map<String, Object> build(long now) {
        List<Registration> live = discovery.snapshot();
        Map<String, CompletableFuture<GatewayProbe.Result>> calls = new LinkedHashMap<>();
        for (Registration r : live) {
            calls.put(r.instanceId(), probe.probe(r));
        }
        Map<String, Object> edge = edgeView.get();
        Map<String, List<Map<String, Object>>> instancesByDomain = new TreeMap<>();
        Map<String, MetricsDigest> intervalByDomain = new HashMap<>();
        Map<String, Double> secondsByDomain = new HashMap<>();
        Map<String, long[]> cacheByDomain = new HashMap<>();
        Map<String, List<Map<String, Object>>> errorsByDomain = new HashMap<>();
        long nowNanos = System.nanoTime();
        for (Registration r : live) {
            departed.remove(r.instanceId());
            GatewayProbe.Result res = await(calls.get(r.instanceId()));
            Map<String, Object> i = describe(r, now);
            if (res.up()) {
                i.put("status", "UP");
                Sample before = samples.put(r.instanceId(), new Sample(res.metrics(), nowNanos));
                if (before != null) {
                    double seconds = Math.max(1e-3, (nowNanos - before.atNanos()) / 1e9);
                    MetricsDigest d = res.metrics().since(before.digest());
                    rates(i, d, seconds);
                    intervalByDomain.merge(r.domain(), d, MetricsDigest::plus);
                    secondsByDomain.merge(r.domain(), seconds, Math::max);
                }
                gatewayDetail(i, res.admin(), r, cacheByDomain, errorsByDomain);
            } else {
                // Without an admin port (static discovery) nothing can be asked: not known to be down.
                i.put("status", r.adminPort() > 0 ? "DOWN" : "UNKNOWN");
                i.put("reason", res.error());
                samples.remove(r.instanceId());
            }
            instancesByDomain.computeIfAbsent(r.domain(), d -> new ArrayList<>()).add(i);
        }
        rememberDeparted(live, now, instancesByDomain);

        Map<String, Object> state = new LinkedHashMap<>();
        state.put("generatedAt", Instant.ofEpochMilli(now).toString());
        state.put("discovery", discovery.describe());
        state.put("conflicts", edge.getOrDefault("conflicts", List.of()));
        state.put("edge", edge.get("edge"));
        @SuppressWarnings("unchecked")
        Map<String, List<String>> claims = (Map<String, List<String>>) edge.getOrDefault("claims", Map.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> failover = (Map<String, Object>) edge.getOrDefault("failover", Map.of());
        List<Map<String, Object>> domains = new ArrayList<>();
        java.util.Set<String> names = new java.util.TreeSet<>(instancesByDomain.keySet());
        names.addAll(claims.keySet());
        for (String name : names) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", name);
            d.put("prefixes", prefixes(name, claims, live));
            List<Map<String, Object>> instances = instancesByDomain.getOrDefault(name, List.of());
            long up = instances.stream().filter(i -> "UP".equals(i.get("status"))).count();
            boolean unknown = instances.stream().anyMatch(i -> "UNKNOWN".equals(i.get("status")));
            d.put("status", up > 0 ? "UP" : unknown ? "UNKNOWN" : "DOWN");
            MetricsDigest interval = intervalByDomain.get(name);
            if (interval != null) {
                rates(d, interval, secondsByDomain.get(name));
            } else {
                d.put("requestRate", DASH);
                d.put("errorRate", DASH);
                d.put("p99Ms", DASH);
            }
            long[] cache = cacheByDomain.get(name);
            d.put("cacheHitRatio", cache == null || cache[0] + cache[1] == 0 ? DASH
                    : (double) cache[0] / (cache[0] + cache[1]));
            d.put("edgeFailover", failover.get(name));
            d.put("instances", instances);
            List<Map<String, Object>> errors = errorsByDomain.getOrDefault(name, new ArrayList<>());
            errors.sort(Comparator.comparing((Map<String, Object> e) -> instant(e.get("at"))).reversed());
            d.put("errors", errors.size() > MAX_ERRORS ? errors.subList(0, MAX_ERRORS) : errors);
            domains.add(d);
        }
        state.put("domains", domains);
        return state;
    }

    private static GatewayProbe.Result await(CompletableFuture<GatewayProbe.Result> call) {
        try {
            // Both calls carry their own timeout; this bound only guards against a stuck client.
            return call.get(2 * GatewayProbe.TIMEOUT.toMillis() + 200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new GatewayProbe.Result(null, null, "interrupted");
        } catch (Exception e) {
            call.cancel(true);
            return new GatewayProbe.Result(null, null, GatewayProbe.reason(e));
        }
    }

    private static Map<String, Object> describe(Registration r, long now) {
        Map<String, Object> i = new LinkedHashMap<>();
        i.put("id", r.instanceId());
        i.put("address", r.host() + ":" + r.port());
        i.put("adminPort", r.adminPort());
        Map<String, String> meta = r.metadata() == null ? Map.of() : r.metadata();
        i.put("version", meta.get("version"));
        i.put("configSha256", meta.get("configSha256"));
        long started = parseLong(meta.get("startedAt"));
        if (started <= 0) {
            started = r.registeredAt();
        }
        i.put("uptimeSeconds", started > 0 && started <= now ? (now - started) / 1000 : DASH);
        return i;
    }

    private static Instant instant(Object at) {
        try {
            return Instant.parse(String.valueOf(at));
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void rates(Map<String, Object> m, MetricsDigest d, double seconds) {
        m.put("requestRate", round(d.requests() / seconds));
        m.put("errorRate", d.requests() == 0 ? 0.0 : round((double) d.serverErrors() / d.requests()));
        Double p99 = d.p99Millis();
        m.put("p99Ms", p99 == null ? DASH : round(p99));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** What a gateway's {@code /admin} says: config (either shape), breakers, limits, cache, errors. */
    private static void gatewayDetail(Map<String, Object> i, JsonNode admin, Registration r,
                                      Map<String, long[]> cacheByDomain,
                                      Map<String, List<Map<String, Object>>> errorsByDomain) {
        JsonNode config = admin.path("config");
        if (config.isTextual()) {
            putIfAbsent(i, "version", config.asText());
        } else if (config.isObject()) {
            putIfAbsent(i, "version", text(config.get("version")));
            putIfAbsent(i, "configSha256", text(config.get("sha256")));
            i.put("configLoadedAt", text(config.get("loadedAt")));
            i.put("generation", config.has("generation") ? config.get("generation").asLong() : null);
            JsonNode lr = config.get("lastReload");
            i.put("lastReload", lr == null || lr.isNull() ? null : lr);
        }
        List<Map<String, Object>> breakers = new ArrayList<>();
        admin.path("breakers").fields().forEachRemaining(e -> e.getValue().path("instances").forEach(u -> {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("service", e.getKey());
            b.put("address", text(u.get("address")));
            b.put("breaker", text(u.get("breaker")));
            b.put("ejected", u.path("ejected").asBoolean(false));
            b.put("healthy", u.path("healthy").asBoolean(true));
            breakers.add(b);
        }));
        i.put("breakers", breakers);
        List<Map<String, Object>> limits = new ArrayList<>();
        admin.path("limiters").path("limits").forEach(l -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", text(l.get("name")));
            m.put("scope", text(l.get("scope")));
            m.put("limit", l.has("limit") ? l.get("limit").asLong() : null);
            m.put("window", text(l.get("window")));
            m.put("mode", text(l.get("mode")));
            m.put("allowed", l.path("allowed").asLong());
            m.put("rejected", l.path("rejected").asLong());
            m.put("trackedKeys", l.path("trackedKeys").asLong());
            limits.add(m);
        });
        i.put("limits", limits);
        JsonNode cache = admin.get("cache");
        if (cache != null && cache.isObject()) {
            long[] hm = cacheByDomain.computeIfAbsent(r.domain(), d -> new long[2]);
            // The cache is the domain's, shared in the cluster; every instance counts its own answers.
            cache.path("routes").forEach(route -> {
                hm[0] += route.path("hits").asLong() + route.path("conditionalHits").asLong();
                hm[1] += route.path("misses").asLong();
            });
            i.put("cache", true);
        }
        List<Map<String, Object>> errors = errorsByDomain.computeIfAbsent(r.domain(), d -> new ArrayList<>());
        admin.path("errors").forEach(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", text(e.get("at")));
            m.put("instance", r.instanceId());
            m.put("status", e.path("status").asInt());
            m.put("method", text(e.get("method")));
            m.put("path", text(e.get("path")));
            m.put("requestId", text(e.get("requestId")));
            errors.add(m);
        });
    }

    private static void putIfAbsent(Map<String, Object> m, String key, Object value) {
        if (m.get(key) == null && value != null) {
            m.put(key, value);
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private void rememberDeparted(List<Registration> live, long now,
                                  Map<String, List<Map<String, Object>>> instancesByDomain) {
        java.util.Set<String> liveIds = new java.util.HashSet<>();
        live.forEach(r -> liveIds.add(r.instanceId()));
        for (Iterator<String> it = samples.keySet().iterator(); it.hasNext(); ) {
            String id = it.next();
            if (!liveIds.contains(id)) {
                it.remove();
            }
        }
        for (Registration r : previous) {
            if (!liveIds.contains(r.instanceId()) && !departed.containsKey(r.instanceId())) {
                departed.put(r.instanceId(), new Departed(r, now));
            }
        }
        departed.values().removeIf(d -> now - d.sinceMillis() > FORGET_AFTER_MILLIS);
        while (departed.size() > MAX_DEPARTED) {
            departed.remove(departed.keySet().iterator().next());
        }
        for (Departed d : departed.values()) {
            Map<String, Object> i = describe(d.registration(), now);
            i.put("uptimeSeconds", DASH);
            i.put("status", "DOWN");
            i.put("reason", "no longer registered (since " + Instant.ofEpochMilli(d.sinceMillis()) + ")");
            instancesByDomain.computeIfAbsent(d.registration().domain(), x -> new ArrayList<>()).add(i);
        }
        previous = live;
    }

    /** The prefixes the domain owns at the edge, then any its live instances claim beyond them (conflicts). */
    private static List<String> prefixes(String domain, Map<String, List<String>> claims, List<Registration> live) {
        java.util.LinkedHashSet<String> p = new java.util.LinkedHashSet<>(claims.getOrDefault(domain, List.of()));
        for (Registration r : live) {
            if (r.domain().equals(domain)) {
                p.addAll(r.prefixes());
            }
        }
        return List.copyOf(p);
    }
}
