package io.concierge.edge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

import io.concierge.gateway.config.AddressRanges;
import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.config.Prefixes;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.discovery.RegistrationCheck;

/**
 * The edge's own list of which domain may own which prefixes ({@code domains} in edge.yaml). With
 * it, a registration in discovery counts only if its domain is listed and every prefix it claims
 * lies within that domain's prefixes: whoever can write to discovery can then no longer take over
 * {@code /api/payments} by registering a gateway for it. Without it (the default) every well-formed
 * claim counts, as before. Either way a malformed registration (from any discovery: the embedded
 * registry checks its own entries, Consul's are checked only here) is refused.
 */
final class AllowedPrefixes {
    private static final Logger LOG = Logger.getLogger(AllowedPrefixes.class.getName());
    private static final int MAX_REMEMBERED = 10_000;

    private final Map<String, List<String>> byDomain;
    private final LongAdder refused = new LongAdder();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    AllowedPrefixes(Map<String, List<String>> byDomain) {
        this.byDomain = byDomain;
    }

    static AllowedPrefixes any() {
        return new AllowedPrefixes(Map.of());
    }

    /** {@code domains: {<domain>: {prefixes: [...]}}}; each name and prefix checked as a gateway's own. */
    static AllowedPrefixes read(ConfigNode root) {
        Map<String, List<String>> byDomain = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : root.namedObjects("domains").entrySet()) {
            ConfigNode d = e.getValue();
            if (!RegistrationCheck.isDomain(e.getKey())) {
                throw d.error("must be lower-case letters, digits and '-' (was '" + e.getKey() + "')");
            }
            List<String> prefixes = d.stringList("prefixes");
            if (prefixes.isEmpty()) {
                throw d.error("prefixes", "at least one prefix is required");
            }
            for (int i = 0; i < prefixes.size(); i++) {
                Prefixes.validate(prefixes.get(i), d, "prefixes[" + i + "]");
            }
            d.rejectUnknownKeys();
            byDomain.put(e.getKey(), List.copyOf(prefixes));
        }
        return new AllowedPrefixes(Map.copyOf(byDomain));
    }

    boolean restricts() {
        return !byDomain.isEmpty();
    }

    /** The registrations whose claims are all allowed; the others are counted (once each) and logged. */
    List<Registration> admit(List<Registration> registrations) {
        List<Registration> admitted = new ArrayList<>(registrations.size());
        for (Registration r : registrations) {
            String bad = refusal(r);
            if (bad == null) {
                admitted.add(r);
                continue;
            }
            if (reported.size() > MAX_REMEMBERED) {
                reported.clear();
            }
            if (reported.add(r.instanceId() + " " + r.domain() + " " + r.prefixes())) {
                refused.increment();
                LOG.warning("ignoring gateway " + r.instanceId() + " at " + r.host() + ":" + r.port() + ": " + bad
                        + " (edge.yaml domains)");
            }
        }
        return admitted;
    }

    private String refusal(Registration r) {
        if (RegistrationCheck.problem(r, AddressRanges.any()) != null) {
            return "malformed registration (domain, prefixes, host or ports)";
        }
        if (byDomain.isEmpty()) {
            return null;
        }
        List<String> allowed = byDomain.get(r.domain());
        if (allowed == null) {
            return "domain '" + r.domain() + "' is not listed";
        }
        for (String claimed : r.prefixes()) {
            boolean ok = false;
            for (String a : allowed) {
                ok |= Prefixes.covers(a, claimed);
            }
            if (!ok) {
                return "prefix " + claimed + " is not one of domain " + r.domain() + "'s " + allowed;
            }
        }
        return null;
    }

    /** Registrations refused since start (each distinct claim once). */
    long refused() {
        return refused.sum();
    }
}
