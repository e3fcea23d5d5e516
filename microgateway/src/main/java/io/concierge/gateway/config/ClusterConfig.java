package io.concierge.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * The Hazelcast cluster that the edge and every gateway join: the embedded registry and (later)
 * the shared rate-limit counters live there. Joining is by an explicit TCP/IP member list, or on
 * Kubernetes by a DNS lookup of a headless Service; multicast is never used.
 *
 * @param name            cluster name; members with another name never join (default {@code concierge})
 * @param host            interface to bind (default {@code 127.0.0.1})
 * @param port            first port to try (default 5701)
 * @param portCount       how many ports from {@code port} to try, and to probe on members given without a port (default 20)
 * @param members         addresses of members, {@code host} or {@code host:port} (default {@code [127.0.0.1]})
 * @param failureDetection how long a silent member is tolerated before it is declared dead (default 5s)
 * @param kubernetesServiceDns when set, members are found by a DNS lookup of this (headless) Kubernetes
 *                         Service instead of the {@code members} list (Hazelcast's Kubernetes
 *                         discovery in DNS lookup mode; needs no access to the Kubernetes API)
 * @param trustedMembers  addresses (IPs, CIDR ranges) whose members' registry entries count, and where a
 *                        registration may point; default: loopback when {@code host} is a loopback address,
 *                        otherwise any (docs/operations.md#cluster-isolation says why to set it)
 */
public record ClusterConfig(String name, String host, int port, int portCount, List<String> members,
                            Duration failureDetection, String kubernetesServiceDns, AddressRanges trustedMembers) {
    private static final AddressRanges LOOPBACK = AddressRanges.of("127.0.0.0/8", "::1/128");

    /** A TCP/IP-joined cluster with the default trusted members for {@code host}. */
    public ClusterConfig(String name, String host, int port, int portCount, List<String> members,
                         Duration failureDetection) {
        this(name, host, port, portCount, members, failureDetection, null, defaultTrust(host));
    }

    /** Joined through a Kubernetes Service's DNS name (null: TCP/IP), default trusted members. */
    public ClusterConfig(String name, String host, int port, int portCount, List<String> members,
                         Duration failureDetection, String kubernetesServiceDns) {
        this(name, host, port, portCount, members, failureDetection, kubernetesServiceDns, defaultTrust(host));
    }

    /** A TCP/IP-joined cluster with the given trusted members. */
    public ClusterConfig(String name, String host, int port, int portCount, List<String> members,
                         Duration failureDetection, AddressRanges trustedMembers) {
        this(name, host, port, portCount, members, failureDetection, null, trustedMembers);
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
        String serviceDns = null;
        if (node.has("kubernetes")) {
            ConfigNode k8s = node.object("kubernetes");
            serviceDns = k8s.requiredString("service-dns");
            if (!HostNames.isDnsName(serviceDns)) {
                throw k8s.error("service-dns", "must be a DNS name such as concierge-cluster.default.svc.cluster.local"
                        + " (was '" + serviceDns + "')");
            }
            k8s.rejectUnknownKeys();
            if (!members.isEmpty()) {
                throw node.error("members", "not with kubernetes: members are found through kubernetes.service-dns");
            }
        }
        String host = node.string("host", d.host());
        List<String> trusted = node.stringList("trusted-members");
        ClusterConfig c = new ClusterConfig(
                node.string("name", d.name()),
                host,
                node.integer("port", d.port(), 1, 65535),
                node.integer("port-count", d.portCount(), 1, 1000),
                members.isEmpty() ? d.members() : List.copyOf(members),
                node.duration("failure-detection", d.failureDetection()),
                serviceDns,
                trusted.isEmpty() ? defaultTrust(host) : AddressRanges.read(node, "trusted-members"));
        if (c.failureDetection().toMillis() < 1000) {
            throw node.error("failure-detection", "must be at least 1s (was " + c.failureDetection().toMillis() + "ms)");
        }
        node.rejectUnknownKeys();
        return c;
    }
}
