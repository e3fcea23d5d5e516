package io.concierge.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * The Hazelcast cluster that the edge and every gateway join: the embedded registry and (later)
 * the shared rate-limit counters live there. Joining is by an explicit TCP/IP member list; multicast
 * is never used.
 *
 * @param name            cluster name; members with another name never join (default {@code concierge})
 * @param host            interface to bind (default {@code 127.0.0.1})
 * @param port            first port to try (default 5701)
 * @param portCount       how many ports from {@code port} to try, and to probe on members given without a port (default 20)
 * @param members         addresses of members, {@code host} or {@code host:port} (default {@code [127.0.0.1]})
 * @param failureDetection how long a silent member is tolerated before it is declared dead (default 5s)
 * @param trustedMembers  addresses (IPs, CIDR ranges) whose members' registry entries count, and where a
 *                        registration may point; default: loopback when {@code host} is a loopback address,
 *                        otherwise any (docs/operations.md#cluster-isolation says why to set it)
 */
public record ClusterConfig(String name, String host, int port, int portCount, List<String> members,
                            Duration failureDetection, AddressRanges trustedMembers) {
    private static final AddressRanges LOOPBACK = AddressRanges.of("127.0.0.0/8", "::1/128");

    /** With the default trusted members for {@code host}. */
    public ClusterConfig(String name, String host, int port, int portCount, List<String> members,
                         Duration failureDetection) {
        this(name, host, port, portCount, members, failureDetection, defaultTrust(host));
    }

    public static ClusterConfig defaults() {
        return new ClusterConfig("concierge", "127.0.0.1", 5701, 20, List.of("127.0.0.1"), Duration.ofSeconds(5));
    }

    /** A member bound to loopback can only be reached from this host: trust exactly that by default. */
    private static AddressRanges defaultTrust(String host) {
        return LOOPBACK.contains(host) || "localhost".equals(host) ? LOOPBACK : AddressRanges.any();
    }

    public static ClusterConfig read(ConfigNode node) {
        ClusterConfig d = defaults();
        List<String> members = node.stringList("members");
        String host = node.string("host", d.host());
        List<String> trusted = node.stringList("trusted-members");
        ClusterConfig c = new ClusterConfig(
                node.string("name", d.name()),
                host,
                node.integer("port", d.port(), 1, 65535),
                node.integer("port-count", d.portCount(), 1, 1000),
                members.isEmpty() ? d.members() : List.copyOf(members),
                node.duration("failure-detection", d.failureDetection()),
                trusted.isEmpty() ? defaultTrust(host) : AddressRanges.parse(trusted, node, "trusted-members"));
        if (c.failureDetection().toMillis() < 1000) {
            throw node.error("failure-detection", "must be at least 1s (was " + c.failureDetection().toMillis() + "ms)");
        }
        node.rejectUnknownKeys();
        return c;
    }
}
