package io.concierge.edge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.concierge.gateway.discovery.Registration;

/**
 * Which domain owns which path prefix, built from the live registrations. Immutable: the edge swaps
 * in a new table on every change, so a request always sees one consistent table.
 *
 * <p>When two domains claim the same prefix, the domain that registered first keeps it and the
 * conflict is reported (health, log); a late-comer can never hijack another team's traffic.
 */
final class DispatchTable {
    /** One prefix, as segments, and its owner. */
    record Claim(String prefix, List<String> segments, String domain) {
    }

    /** A refused claim. */
    record Conflict(String prefix, String owner, String refused) {
        @Override
        public String toString() {
            return "prefix " + prefix + " is owned by '" + owner + "'; claim by '" + refused + "' ignored";
        }
    }

    static final DispatchTable EMPTY = new DispatchTable(List.of(), List.of(), Map.of());

    private final List<Claim> claims;
    private final List<Conflict> conflicts;
    private final Map<String, List<Registration>> instances;

    private DispatchTable(List<Claim> claims, List<Conflict> conflicts, Map<String, List<Registration>> instances) {
        this.claims = claims;
        this.conflicts = conflicts;
        this.instances = instances;
    }

    /**
     * @param registrations live instances
     * @param remembered    prefixes of domains seen before, so a domain whose last instance died
     *                      answers 503 (temporarily unavailable) rather than 404 (unknown)
     */
    static DispatchTable build(List<Registration> registrations, Map<String, List<String>> remembered) {
        Map<String, List<Registration>> byDomain = new TreeMap<>();
        for (Registration r : registrations) {
            byDomain.computeIfAbsent(r.domain(), d -> new ArrayList<>()).add(r);
        }
        // Seniority decides conflicts: the domain whose oldest instance registered first.
        Map<String, Long> seniority = new LinkedHashMap<>();
        Map<String, List<String>> prefixes = new LinkedHashMap<>();
        for (Map.Entry<String, List<Registration>> e : byDomain.entrySet()) {
            long first = Long.MAX_VALUE;
            List<String> p = new ArrayList<>();
            for (Registration r : e.getValue()) {
                first = Math.min(first, r.registeredAt());
                for (String prefix : r.prefixes()) {
                    if (!p.contains(prefix)) {
                        p.add(prefix);
                    }
                }
            }
            seniority.put(e.getKey(), first);
            prefixes.put(e.getKey(), p);
        }
        for (Map.Entry<String, List<String>> e : remembered.entrySet()) {
            if (!prefixes.containsKey(e.getKey())) {
                prefixes.put(e.getKey(), e.getValue());
                seniority.put(e.getKey(), Long.MAX_VALUE);
            }
        }
        List<String> order = new ArrayList<>(prefixes.keySet());
        order.sort(Comparator.comparing((String d) -> seniority.get(d)).thenComparing(d -> d));
        Map<String, Claim> owners = new LinkedHashMap<>();
        List<Conflict> conflicts = new ArrayList<>();
        for (String domain : order) {
            for (String prefix : prefixes.get(domain)) {
                Claim existing = owners.get(prefix);
                if (existing == null) {
                    owners.put(prefix, new Claim(prefix, segments(prefix), domain));
                } else if (!existing.domain().equals(domain)) {
                    conflicts.add(new Conflict(prefix, existing.domain(), domain));
                }
            }
        }
        List<Claim> claims = new ArrayList<>(owners.values());
        // Longest prefix first: the first claim that covers a path is the most specific owner.
        claims.sort(Comparator.comparingInt((Claim c) -> -c.segments().size()).thenComparing(Claim::prefix));
        Map<String, List<Registration>> live = new TreeMap<>();
        byDomain.forEach((d, rs) -> live.put(d, List.copyOf(rs)));
        return new DispatchTable(List.copyOf(claims), List.copyOf(conflicts), live);
    }

    private static List<String> segments(String prefix) {
        return prefix.equals("/") ? List.of() : List.of(prefix.substring(1).split("/"));
    }

    /** @return the owning domain of the longest prefix covering the decoded path segments, or null */
    String owner(List<String> pathSegments) {
        for (Claim c : claims) {
            List<String> s = c.segments();
            if (s.size() <= pathSegments.size() && pathSegments.subList(0, s.size()).equals(s)) {
                return c.domain();
            }
        }
        return null;
    }

    List<Claim> claims() {
        return claims;
    }

    List<Conflict> conflicts() {
        return conflicts;
    }

    List<Registration> instances(String domain) {
        return instances.getOrDefault(domain, List.of());
    }

    Map<String, List<Registration>> instances() {
        return instances;
    }
}
