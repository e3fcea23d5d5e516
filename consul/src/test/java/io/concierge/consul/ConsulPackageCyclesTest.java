package io.concierge.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.testing.KnownPackageCycles;
import io.concierge.gateway.testing.PackageGraph;

/** The consul provider and the gateway packages it plugs into form no cycle beyond the known ones. */
class ConsulPackageCyclesTest {
    @Test
    void noPackageCycleAcrossConsulAndGateway() {
        PackageGraph graph = PackageGraph.read("io.concierge", Path.of("src/main/java"),
                Path.of("../microgateway/src/main/java"));
        String cycles = graph.without(KnownPackageCycles.qualified()).describeCycles(KnownPackageCycles.PREFIX);
        assertEquals("", cycles, "package cycles:\n" + cycles);
    }
}
