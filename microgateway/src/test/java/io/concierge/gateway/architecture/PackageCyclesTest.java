package io.concierge.gateway.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.concierge.gateway.testing.KnownPackageCycles;
import io.concierge.gateway.testing.PackageGraph;

/**
 * Packages form layers: the config base types at the bottom, features above them, the top-level
 * config and the server on top. A cycle between packages means no layer can be read, tested or
 * changed without the other; this test fails on any cycle that is not in {@link KnownPackageCycles},
 * printing every tangle and a shortest cycle through each of its packages.
 */
class PackageCyclesTest {
    private static final String GATEWAY = "io.concierge.gateway";
    private static final PackageGraph SOURCES = PackageGraph.read("io.concierge", Path.of("src/main/java"));

    @Test
    void configBaseTypesImportNoOtherPackageOfOurs() {
        assertEquals(Set.of(), SOURCES.dependencies(GATEWAY + ".config"),
                "config holds the base types every feature reads its YAML with; it must import no feature");
    }

    @Test
    void everyCycleIsAKnownOne() {
        PackageGraph rest = SOURCES.without(KnownPackageCycles.qualified());
        String cycles = rest.describeCycles(KnownPackageCycles.PREFIX);
        assertEquals("", cycles, "package cycles (break them; do not add to KnownPackageCycles):\n" + cycles);
    }

    @Test
    void knownCyclesListOnlyEdgesThatStillCloseACycle() {
        List<String> stale = new ArrayList<>();
        for (String edge : KnownPackageCycles.qualified()) {
            String[] ends = PackageGraph.splitEdge(edge);
            boolean inCycle = SOURCES.hasEdge(ends[0], ends[1]) && SOURCES.tangles().stream()
                    .anyMatch(t -> t.contains(ends[0]) && t.contains(ends[1]));
            if (!inCycle) {
                stale.add(edge);
            }
        }
        if (!stale.isEmpty()) {
            fail("no longer a cycle, remove from KnownPackageCycles.EDGES: " + stale);
        }
    }

    @Test
    void theGraphSeesImportsAndQualifiedNamesButNotCommentsOrStrings(@TempDir Path dir) throws IOException {
        write(dir, "a/A.java", """
                package io.concierge.a;
                // io.concierge.c.C in a comment is no dependency
                class A { Object b = new io.concierge.b.B(); String s = "io.concierge.c.C"; }
                """);
        write(dir, "b/B.java", """
                package io.concierge.b;
                import static io.concierge.a.A.X;
                /** {@code io.concierge.c.C} */
                public class B { }
                """);
        write(dir, "c/C.java", """
                package io.concierge.c;
                import io.concierge.a.*;
                class C { }
                """);
        PackageGraph graph = PackageGraph.read("io.concierge", dir);
        assertEquals(Set.of("io.concierge.b"), graph.dependencies("io.concierge.a"), "a fully qualified name");
        assertEquals(Set.of("io.concierge.a"), graph.dependencies("io.concierge.b"), "a static import");
        assertEquals(Set.of("io.concierge.a"), graph.dependencies("io.concierge.c"), "a wildcard import");
        assertEquals("tangle of 2 packages: a, b\n  mutual: a <-> b\n", graph.describeCycles("io.concierge."));
        assertEquals("", graph.without(List.of("io.concierge.b -> io.concierge.a")).describeCycles(""));
    }

    private static void write(Path root, String file, String text) throws IOException {
        Path p = root.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }
}
