package io.concierge.gateway.telemetry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;

import io.concierge.gateway.balancing.Upstream;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.resilience.InstanceBreaker;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.security.Rejection;
import io.concierge.gateway.security.SecurityStats;

/**
 * Exports the counters other features already keep (resilience, rate limiting, security,
 * discovery) to {@code /metrics}. They are read at scrape time from the features' own state, so
 * the request path pays nothing for them. Label values come from configuration (service, limit
 * and instance names) or fixed sets (breaker states, rejection reasons), never from requests.
 */
public final class FeatureMetrics {
    private FeatureMetrics() {
    }

    /** Instances, in-flight requests, breakers, retries, bulkhead and fallbacks per service. */
    public static MetricsSource upstreams(Collection<UpstreamGroup> groups, Map<String, ServiceResilience> resilience) {
        return upstreams(groups, resilience, List.of());
    }

    /**
     * As {@link #upstreams(Collection, Map)}, with the gRPC services' instances, in-flight calls,
     * breakers and retries in the same families (a family may appear only once in the text format).
     */
    public static MetricsSource upstreams(Collection<UpstreamGroup> groups, Map<String, ServiceResilience> resilience,
                                          Collection<? extends MeteredService> grpc) {
        return out -> {
            out.family("concierge_upstream_instances", "gauge", "Instances of a service currently known.");
            out.family("concierge_upstream_in_flight", "gauge", "Requests in flight to one instance.");
            out.family("concierge_upstream_idle_connections", "gauge",
                    "Keep-alive connections to one instance idle in its pool (those in use are in flight).");
            for (UpstreamGroup g : groups) {
                out.sample("concierge_upstream_instances", g.instances().size(), "service", g.name());
                for (Upstream u : g.instances()) {
                    out.sample("concierge_upstream_in_flight", u.inFlight(), "service", g.name(), "instance",
                            u.authority());
                    if (u.pool() != null) {
                        out.sample("concierge_upstream_idle_connections", u.pool().idleConnections(), "service",
                                g.name(), "instance", u.authority());
                    }
                }
            }
            for (MeteredService c : grpc) {
                out.sample("concierge_upstream_instances", c.upstreams().size(), "service", c.service());
                for (Upstream u : c.upstreams()) {
                    out.sample("concierge_upstream_in_flight", u.inFlight(), "service", c.service(),
                            "instance", u.authority());
                }
            }
            boolean anyResilience = resilience != null && !resilience.isEmpty();
            if (!anyResilience && grpc.isEmpty()) {
                return;
            }
            out.family("concierge_breaker_state", "gauge",
                    "1 for the current circuit-breaker state of an instance, 0 for the others.");
            out.family("concierge_breaker_opens_total", "counter", "Times an instance's breaker opened.");
            for (UpstreamGroup g : groups) {
                ServiceResilience rz = anyResilience ? resilience.get(g.name()) : null;
                if (rz == null) {
                    continue;
                }
                for (Upstream u : g.instances()) {
                    breaker(out, g.name(), u.authority(), rz.breaker(u));
                }
            }
            for (MeteredService c : grpc) {
                for (Upstream u : c.upstreams()) {
                    breaker(out, c.service(), u.authority(), c.breaker(u));
                }
            }
            out.family("concierge_retries_total", "counter", "Retries made (each try after the first).");
            if (anyResilience) {
                resilience.forEach((service, rz) -> sample(out, "concierge_retries_total", rz.describe().get("retries"),
                        "service", service));
            }
            for (MeteredService c : grpc) {
                out.sample("concierge_retries_total", c.retries(), "service", c.service());
            }
            if (!anyResilience) {
                return;
            }
            counter(out, resilience, "concierge_retry_budget_exhausted_total",
                    "Retries refused because the service's retry budget was spent.", "retryBudgetExhausted");
            counter(out, resilience, "concierge_bulkhead_rejections_total",
                    "Requests refused because the service was at its concurrency limit.", "bulkheadRejections");
            counter(out, resilience, "concierge_fallbacks_total", "Static fallback answers sent.", "fallbacks");
            counter(out, resilience, "concierge_outlier_ejections_total", "Instances ejected as outliers.",
                    "ejections");
        };
    }

    private static void breaker(PrometheusText out, String service, String instance, InstanceBreaker b) {
        InstanceBreaker.State state = b.state();
        for (InstanceBreaker.State s : InstanceBreaker.State.values()) {
            out.sample("concierge_breaker_state", s == state ? 1 : 0, "service", service, "instance", instance,
                    "state", s.name().toLowerCase(java.util.Locale.ROOT));
        }
        out.sample("concierge_breaker_opens_total", b.opens(), "service", service, "instance", instance);
    }

    private static void counter(PrometheusText out, Map<String, ServiceResilience> resilience, String name,
                                String help, String key) {
        out.family(name, "counter", help);
        resilience.forEach((service, rz) -> {
            Object v = rz.describe().get(key);
            if (v instanceof Number n) {
                out.sample(name, n.doubleValue(), "service", service);
            }
        });
    }

    /**
     * Rate-limit decisions and cluster use per limit, from the {@code rateLimiting} health section
     * (the limiters' own LongAdder counters).
     */
    @SuppressWarnings("unchecked")
    public static MetricsSource rateLimits(Supplier<Map<String, Object>> health) {
        return out -> {
            Map<String, Object> h = health.get();
            out.family("concierge_ratelimit_decisions_total", "counter",
                    "Rate-limit decisions per limit: allowed, rejected (429), shadow_rejected (would have been"
                            + " rejected by a limit with enforce: false).");
            out.family("concierge_ratelimit_local_fallbacks_total", "counter",
                    "Decisions made on local counters because the cluster was unavailable.");
            out.family("concierge_ratelimit_cluster_calls_total", "counter", "Calls to the cluster's counters.");
            out.family("concierge_ratelimit_cluster_errors_total", "counter",
                    "Cluster counter calls that failed or timed out.");
            out.family("concierge_ratelimit_key_evictions_total", "counter",
                    "Tracked keys forgotten, least recently used first, to make room for new keys at max-keys.");
            out.family("concierge_ratelimit_tracked_keys", "gauge", "Keys a limit currently tracks.");
            out.family("concierge_ratelimit_cluster_degraded", "gauge",
                    "1 while rate limiting runs on local counters because the cluster is unreachable.");
            Object limits = h.get("limits");
            if (limits instanceof List<?> list) {
                for (Object o : list) {
                    Map<String, Object> l = (Map<String, Object>) o;
                    String name = String.valueOf(l.get("name"));
                    String scope = String.valueOf(l.get("scope"));
                    sample(out, "concierge_ratelimit_decisions_total", l.get("allowed"), "limit", name, "scope", scope,
                            "decision", "allowed");
                    sample(out, "concierge_ratelimit_decisions_total", l.get("rejected"), "limit", name, "scope",
                            scope, "decision", "rejected");
                    sample(out, "concierge_ratelimit_decisions_total", l.get("shadowRejected"), "limit", name, "scope",
                            scope, "decision", "shadow_rejected");
                    sample(out, "concierge_ratelimit_local_fallbacks_total", l.get("fallbacks"), "limit", name,
                            "scope", scope);
                    sample(out, "concierge_ratelimit_cluster_calls_total", l.get("clusterCalls"), "limit", name,
                            "scope", scope);
                    sample(out, "concierge_ratelimit_cluster_errors_total", l.get("clusterErrors"), "limit", name,
                            "scope", scope);
                    sample(out, "concierge_ratelimit_key_evictions_total", l.get("keyEvictions"), "limit", name,
                            "scope", scope);
                    sample(out, "concierge_ratelimit_tracked_keys", l.get("trackedKeys"), "limit", name, "scope",
                            scope);
                }
            }
            out.sample("concierge_ratelimit_cluster_degraded",
                    "degraded-to-local".equals(h.get("cluster")) ? 1 : 0);
        };
    }

    /**
     * The shared response cache: per route (hits, misses, stale answers by reason, revalidations,
     * coalesced waits, stores and stored bytes, responses not stored) and for the domain's maps on
     * this member (evictions, expirations, purges, cluster errors, entries and bytes owned), from
     * the cache's own counters ({@code SharedCache.describe()}).
     */
    @SuppressWarnings("unchecked")
    public static MetricsSource cache(Supplier<Map<String, Object>> describe) {
        return out -> {
            Map<String, Object> c = describe.get();
            out.family("concierge_cache_requests_total", "counter", "Cacheable requests per route by how the cache"
                    + " answered: hit, miss, stale_while_revalidate, stale_if_error, coalesced (served another"
                    + " request's fetch), bypassed (cluster unavailable), conditional_hit (304 from a fresh entry).");
            out.family("concierge_cache_revalidations_total", "counter", "Conditional requests made to revalidate"
                    + " a stored response.");
            out.family("concierge_cache_not_modified_total", "counter", "Revalidations answered 304.");
            out.family("concierge_cache_stores_total", "counter", "Responses stored.");
            out.family("concierge_cache_stored_bytes_total", "counter", "Body bytes stored.");
            out.family("concierge_cache_not_stored_total", "counter", "Responses not stored, by reason: policy"
                    + " (RFC 9111 rules, e.g. private, no-store, Set-Cookie) or too_large (max-object-size).");
            Object routes = c.get("routes");
            if (routes instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    String route = String.valueOf(e.getKey());
                    Map<String, Object> r = (Map<String, Object>) e.getValue();
                    String[][] results = {{"hit", "hits"}, {"miss", "misses"},
                            {"stale_while_revalidate", "staleServedWhileRevalidating"},
                            {"stale_if_error", "staleServedOnError"}, {"coalesced", "coalescedWaits"},
                            {"bypassed", "bypassedClusterUnavailable"}, {"conditional_hit", "conditionalHits"}};
                    for (String[] res : results) {
                        sample(out, "concierge_cache_requests_total", r.get(res[1]), "route", route, "result", res[0]);
                    }
                    sample(out, "concierge_cache_revalidations_total", r.get("revalidations"), "route", route);
                    sample(out, "concierge_cache_not_modified_total", r.get("notModified"), "route", route);
                    sample(out, "concierge_cache_stores_total", r.get("stores"), "route", route);
                    sample(out, "concierge_cache_stored_bytes_total", r.get("storedBytes"), "route", route);
                    sample(out, "concierge_cache_not_stored_total", r.get("notStorable"), "route", route, "reason",
                            "policy");
                    sample(out, "concierge_cache_not_stored_total", r.get("tooLargeToStore"), "route", route,
                            "reason", "too_large");
                }
            }
            out.family("concierge_cache_evictions_total", "counter", "Entries evicted by size from the partitions"
                    + " this member owns.");
            out.family("concierge_cache_expirations_total", "counter", "Entries expired (time-to-live) from the"
                    + " partitions this member owns.");
            out.family("concierge_cache_purges_total", "counter", "Purge requests served by this instance.");
            out.family("concierge_cache_purged_entries_total", "counter", "Entries removed by those purges.");
            out.family("concierge_cache_cluster_errors_total", "counter", "Cache cluster calls that failed or timed"
                    + " out (the request went uncached).");
            out.family("concierge_cache_owned_entries", "gauge", "Entries in the partitions this member owns.");
            out.family("concierge_cache_owned_bytes", "gauge", "Memory cost of the entries this member owns.");
            sample(out, "concierge_cache_evictions_total", c.get("evictions"));
            sample(out, "concierge_cache_expirations_total", c.get("expirations"));
            sample(out, "concierge_cache_purges_total", c.get("purges"));
            sample(out, "concierge_cache_purged_entries_total", c.get("purgedEntries"));
            sample(out, "concierge_cache_cluster_errors_total", c.get("clusterErrors"));
            sample(out, "concierge_cache_owned_entries", c.get("ownedEntries"));
            sample(out, "concierge_cache_owned_bytes", c.get("ownedBytes"));
        };
    }

    private static void sample(PrometheusText out, String name, Object value, String... labels) {
        if (value instanceof Number n) {
            out.sample(name, n.doubleValue(), labels);
        }
    }

    /**
     * Security refusals by reason and the JWKS caches' counters; {@code stats} may give null.
     *
     * @param headTimeouts the server's count of request heads cut by {@code server.header-timeout}
     * @param readTimeouts the server's count of plain HTTP/1.x reads cut by {@code server.read-timeout}
     */
    public static MetricsSource security(Supplier<SecurityStats> stats, LongSupplier headTimeouts,
                                         LongSupplier readTimeouts) {
        return out -> {
            SecurityStats s = stats.get();
            out.family("concierge_security_rejections_total", "counter",
                    "Requests refused by authentication, authorization or IP rules, by reason and status.");
            out.family("concierge_jwks_fetches_total", "counter", "JWKS documents fetched.");
            out.family("concierge_jwks_fetch_failures_total", "counter", "JWKS fetches that failed.");
            out.family("concierge_jwks_stale_key_uses_total", "counter",
                    "Tokens verified with cached keys while the JWKS endpoint was failing.");
            out.family("concierge_body_too_large_total", "counter", "Requests refused for an oversized body (413).");
            out.family("concierge_request_head_timeouts_total", "counter",
                    "Connections cut because their request head did not arrive within server.header-timeout.");
            out.sample("concierge_request_head_timeouts_total", headTimeouts.getAsLong());
            out.family("concierge_client_read_timeouts_total", "counter",
                    "Plain HTTP/1.x connections cut because no client byte arrived within server.read-timeout "
                            + "(between requests, inside a head or a body).");
            out.sample("concierge_client_read_timeouts_total", readTimeouts.getAsLong());
            if (s == null) {
                return;
            }
            for (Rejection r : Rejection.values()) {
                out.sample("concierge_security_rejections_total", s.rejections(r), "reason", r.metricName(),
                        "status", Integer.toString(r.status()));
            }
            out.sample("concierge_jwks_fetches_total", s.jwksFetches());
            out.sample("concierge_jwks_fetch_failures_total", s.jwksFetchFailures());
            out.sample("concierge_jwks_stale_key_uses_total", s.jwksStaleKeyUses());
            out.sample("concierge_body_too_large_total", s.bodyTooLarge());
        };
    }

    /**
     * Registry view and change count. An implementation that counts its own changes (Consul's
     * {@code watchChanges}) is read; only the others are watched for counting, because a watch can
     * cost a long-poll thread (Consul) that a gateway without compositions would not otherwise run.
     */
    public static MetricsSource discovery(Discovery discovery) {
        LongAdder changes = new LongAdder();
        boolean counted = discovery.describe().get("watchChanges") instanceof Number;
        if (!counted) {
            discovery.watch(list -> changes.increment());
        }
        return out -> {
            Map<String, Object> d = discovery.describe();
            out.family("concierge_discovery_changes_total", "counter",
                    "Registry changes seen by this process (instances registered, gone or updated).");
            sample(out, "concierge_discovery_changes_total", counted ? d.get("watchChanges") : changes.sum());
            out.family("concierge_discovery_registrations", "gauge", "Registrations currently in the registry.");
            sample(out, "concierge_discovery_registrations", d.get("registrations"));
            out.family("concierge_cluster_members", "gauge",
                    "Members of the Hazelcast cluster this process sees (absent without a cluster).");
            sample(out, "concierge_cluster_members", d.get("members"));
            for (String[] m : REGISTRY_COUNTERS) {
                Object v = d.get(m[0]);
                if (v instanceof Boolean b) {
                    v = b ? 1 : 0;
                }
                if (v instanceof Number) {
                    out.family(m[1], m[2], m[3]);
                    sample(out, m[1], v);
                }
            }
        };
    }

    /**
     * Entries each Hazelcast map holds in the partitions this member owns (the registry, the rate-limit
     * counters, the caches): a soak run watches them for growth (docs/reliability.md). Read from the
     * member's local statistics at scrape time; label values are the maps' names, which come from
     * configuration (domain names), never from requests.
     */
    public static MetricsSource clusterMaps(HazelcastInstance cluster) {
        return out -> {
            out.family("concierge_cluster_map_owned_entries", "gauge",
                    "Entries of a Hazelcast map in the partitions this member owns.");
            if (!cluster.getLifecycleService().isRunning()) {
                return;
            }
            List<String> names = new ArrayList<>();
            try {
                for (DistributedObject o : cluster.getDistributedObjects()) {
                    if (o instanceof IMap<?, ?>) {
                        names.add(o.getName());
                    }
                }
                Collections.sort(names);
                for (String name : names) {
                    out.sample("concierge_cluster_map_owned_entries",
                            cluster.getMap(name).getLocalMapStats().getOwnedEntryCount(), "map", name);
                }
            } catch (HazelcastInstanceNotActiveException e) {
                // The member stopped between the check and the read (a shutdown during a scrape): the
                // rest of /metrics still answers, without these samples.
            }
        };
    }

    /** Composition calls (each fan-out element counts), failed calls and partial answers. */
    public static MetricsSource compositions(Supplier<Map<String, Object>> describe) {
        return out -> {
            Map<String, Object> d = describe.get();
            out.family("concierge_composition_calls_total", "counter",
                    "Calls made by compositions (every fan-out element counts one).");
            sample(out, "concierge_composition_calls_total", d.get("calls"));
            out.family("concierge_composition_failed_calls_total", "counter",
                    "Composition calls that failed (required or optional).");
            sample(out, "concierge_composition_failed_calls_total", d.get("failedCalls"));
            out.family("concierge_composition_partial_responses_total", "counter",
                    "Composition answers with optional parts missing (X-Concierge-Partial).");
            sample(out, "concierge_composition_partial_responses_total", d.get("partialResponses"));
        };
    }

    /**
     * Counters a discovery implementation reports in {@code describe()} (Consul's; the embedded
     * registry has none of them): describe key, metric, type, help. Only present keys are exported.
     */
    private static final String[][] REGISTRY_COUNTERS = {
            {"stale", "concierge_discovery_stale", "gauge",
                    "1 while the registry does not answer and the last known instance set is served."},
            {"staleResponses", "concierge_discovery_stale_responses_total", "counter",
                    "Registry queries that failed while the last known instance set kept serving."},
            {"watchErrors", "concierge_discovery_watch_errors_total", "counter", "Failed watch (blocking) queries."},
            {"watchQueries", "concierge_discovery_watch_queries_total", "counter", "Watch (blocking) queries sent."},
            {"indexResets", "concierge_discovery_index_resets_total", "counter",
                    "Watch index resets (the registry's index went backwards, e.g. after a restart)."},
            {"registrationErrors", "concierge_discovery_registration_errors_total", "counter",
                    "Failed attempts to register this process."},
            {"reregistrations", "concierge_discovery_reregistrations_total", "counter",
                    "Registrations written again after the registry lost them."},
    };
}
