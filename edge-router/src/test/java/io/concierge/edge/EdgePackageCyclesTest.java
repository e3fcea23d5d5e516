package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.testing.KnownPackageCycles;
import io.concierge.gateway.testing.PackageGraph;

/**
 * The edge's packages and the gateway packages it uses form no cycle beyond the known ones of the
 * microgateway (see microgateway's PackageCyclesTest): read together, because code moving between the
 * modules (issue 14: edge-only filters and TLS move here) can only close a cycle across them.
 */
class EdgePackageCyclesTest {
    @Test
    void noPackageCycleAcrossEdgeConsulAndGateway() {
        PackageGraph graph = PackageGraph.read("io.concierge", Path.of("src/main/java"),
                Path.of("../consul/src/main/java"), Path.of("../microgateway/src/main/java"));
        String cycles = graph.without(KnownPackageCycles.qualified()).describeCycles(KnownPackageCycles.PREFIX);
        assertEquals("", cycles, "package cycles:\n" + cycles);
    }
}
