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
 */
public record ClusterConfig(String name, String host, int port, int portCount, List<String> members,
                            Duration failureDetection) {
    public static ClusterConfig defaults() {
        return new ClusterConfig("concierge", "127.0.0.1", 5701, 20, List.of("127.0.0.1"), Duration.ofSeconds(5));
    }

    public static ClusterConfig read(ConfigNode node) {
        ClusterConfig d = defaults();
        List<String> members = node.stringList("members");
        ClusterConfig c = new ClusterConfig(
                node.string("name", d.name()),
                node.string("host", d.host()),
                node.integer("port", d.port(), 1, 65535),
                node.integer("port-count", d.portCount(), 1, 1000),
                members.isEmpty() ? d.members() : List.copyOf(members),
                node.duration("failure-detection", d.failureDetection()));
        if (c.failureDetection().toMillis() < 1000) {
            throw node.error("failure-detection", "must be at least 1s (was " + c.failureDetection().toMillis() + "ms)");
        }
        node.rejectUnknownKeys();
        return c;
    }
}
