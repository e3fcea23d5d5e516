package io.concierge.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.config.ClusterConfig;
import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.testing.Poll;

/**
 * {@code cluster.kubernetes.service-dns}: members found by a DNS lookup of a (headless) Service, as on
 * Kubernetes. Here the name is {@code localhost}, whose A record is this machine: two members that
 * know no member list find each other through it. The validation names the file and YAML path.
 */
class KubernetesJoinTest {
    private static final String BASE = """
            domain: test
            prefixes: [/api]
            services:
              backend:
                instances:
                  - url: http://127.0.0.1:1
            routes:
              - id: all
                match: {path: /api/**}
                service: backend
            """;

    private static ClusterConfig cluster(String yaml) {
        return GatewayConfig.parse("test.yaml", BASE + yaml, k -> null).cluster();
    }

    @Test
    void membersFindEachOtherThroughTheServicesDnsName() {
        int base = Poll.freePortBlock(3);
        ClusterConfig c = new ClusterConfig("k8s-" + UUID.randomUUID(), "127.0.0.1", base, 3, List.of("127.0.0.1"),
                Duration.ofSeconds(3), "localhost");
        HazelcastInstance a = ClusterMember.start(c, "a-" + UUID.randomUUID());
        try {
            HazelcastInstance b = ClusterMember.start(c, "b-" + UUID.randomUUID());
            try {
                Poll.until("two members", Duration.ofSeconds(60), () -> a.getCluster().getMembers().size() == 2);
            } finally {
                b.shutdown();
            }
        } finally {
            a.shutdown();
        }
    }

    @Test
    void serviceDnsIsReadAndValidated() {
        assertNull(cluster("").kubernetesServiceDns(), "TCP/IP join by default");
        assertEquals("concierge-cluster.mesh.svc.cluster.local",
                cluster("cluster:\n  kubernetes: {service-dns: concierge-cluster.mesh.svc.cluster.local}\n")
                        .kubernetesServiceDns());
        ConfigException bad = assertThrows(ConfigException.class,
                () -> cluster("cluster:\n  kubernetes: {service-dns: 'not a name'}\n"));
        assertTrue(bad.getMessage().contains("test.yaml") && bad.getMessage().contains("cluster.kubernetes.service-dns"),
                bad.getMessage());
        ConfigException both = assertThrows(ConfigException.class,
                () -> cluster("cluster:\n  members: [10.0.0.1]\n  kubernetes: {service-dns: svc.local}\n"));
        assertTrue(both.getMessage().contains("cluster.members"), both.getMessage());
        ConfigException missing = assertThrows(ConfigException.class, () -> cluster("cluster:\n  kubernetes: {}\n"));
        assertTrue(missing.getMessage().contains("service-dns"), missing.getMessage());
    }
}
