package io.concierge.gateway.testing;

import java.util.List;

/**
 * The package dependencies that still close a cycle, one edge per cycle, each with the reason it is
 * still there. The package-cycle tests remove these edges and require the rest to be acyclic, and
 * fail on an entry that no longer closes a cycle, so this list can only shrink. It must become empty:
 * every entry is runtime assembly or shared state that issue 14's rebuild (one chain factory above
 * the features, one per-server runtime object, the upstream exchange split out of the proxy) moves.
 */
public final class KnownPackageCycles {
    /** Each {@code "from -> to"}, package names without {@code io.concierge.gateway.}. */
    public static final List<String> EDGES = List.of();

    /** The common prefix the entries leave out. */
    public static final String PREFIX = "io.concierge.gateway.";

    private KnownPackageCycles() {
    }

    /** The entries with full package names, for {@link PackageGraph#without}. */
    public static List<String> qualified() {
        return EDGES.stream().map(e -> {
            String[] ends = PackageGraph.splitEdge(e);
            return PREFIX + ends[0] + " -> " + PREFIX + ends[1];
        }).toList();
    }
}
