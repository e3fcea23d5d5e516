package io.concierge.gateway.telemetry;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.cluster.ClusterMember;
import io.concierge.gateway.config.ClusterConfig;
import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The gauges a soak run watches for growth (docs/reliability.md), on a gateway that is a member of a
 * real one-member Hazelcast cluster: each map's entries in the partitions this member owns, and the
 * idle keep-alive connections of each upstream instance's pool.
 */
class ClusterMapMetricsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final Resources resources = new Resources();
    private HazelcastInstance member;

    @AfterEach
    void stop() throws Exception {
        try {
            resources.close();
        } finally {
            if (member != null) {
                member.getLifecycleService().terminate();
            }
        }
    }

    @Test
    void mapEntriesAndIdleUpstreamConnectionsAreExported() {
        member = ClusterMember.start(new ClusterConfig("maps-" + UUID.randomUUID(), "127.0.0.1",
                Poll.freePortBlock(5), 5, List.of("127.0.0.1"), Duration.ofSeconds(3)), "maps-" + UUID.randomUUID());
        WireUpstream upstream = resources.track(WireUpstream.start());
        GatewayConfig config = GatewayConfig.parse("users.yaml", GatewayTracingIT.yaml(upstream.port()), k -> null);
        GatewayServer g = resources.track(GatewayServer.start(config, new StaticDiscovery(List.of()), member,
                Tracing.disabled()));
        for (int i = 0; i < 3; i++) {
            member.getMap("soak-probe").put("k" + i, "v" + i);
        }
        assertEquals(200, Http.get(g.port(), "/api/users/1").statusCode());

        String instance = "127.0.0.1:" + upstream.port();
        PrometheusScrape[] last = new PrometheusScrape[1];
        // The connection goes back to the pool after the response is sent: poll.
        Poll.until("the upstream connection is idle in its pool", WAIT, () -> {
            last[0] = GatewayMetricsIT.scrape(g.adminPort());
            return last[0].value("concierge_upstream_idle_connections", "service", "backend", "instance",
                    instance) == 1;
        });
        PrometheusScrape m = last[0];
        assertEquals("gauge", m.type("concierge_cluster_map_owned_entries"));
        assertEquals(3, m.value("concierge_cluster_map_owned_entries", "map", "soak-probe"));
        assertEquals("gauge", m.type("concierge_upstream_idle_connections"));
        assertEquals(0, m.value("concierge_upstream_in_flight", "service", "backend", "instance", instance));
    }
}
