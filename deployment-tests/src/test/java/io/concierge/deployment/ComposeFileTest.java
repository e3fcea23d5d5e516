package io.concierge.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * compose/docker-compose.yaml as Compose would read it: every mounted host path and every file a
 * container runs exists (after the build; this module builds last), every {@code depends_on} names a
 * service, every image is pinned to a release, the cluster members start one at a time behind
 * healthchecks, and every container shares the host's network as the file's header says.
 */
class ComposeFileTest {
    /** A release tag: at least major.minor.patch (e.g. 1.20.1, v2.55.1, 21.0.4_7-jre-noble). */
    private static final Pattern RELEASE_TAG = Pattern.compile("v?\\d+\\.\\d+\\.\\d+.*");
    private static final Set<String> CONDITIONS = Set.of("service_started", "service_healthy",
            "service_completed_successfully");
    private final ComposeFile compose = ComposeFile.read();
    private final Path composeDir = Checkout.path("compose");

    @Test
    void everyMountedHostPathAndEveryRunFileExists() {
        for (var e : compose.services().entrySet()) {
            String name = e.getKey();
            Map<String, Object> service = ComposeFile.map(e.getValue(), "services." + name);
            Path mountedRoot = null;
            for (Object v : ComposeFile.list(service.getOrDefault("volumes", List.of()), name + ".volumes")) {
                String[] parts = String.valueOf(v).split(":");
                String source = parts[0];
                if (source.startsWith(".") || source.startsWith("/")) {
                    Path host = composeDir.resolve(source).normalize();
                    assertTrue(Files.exists(host), name + " mounts " + source + ", which does not exist (" + host + ")");
                    if ("/concierge".equals(parts[1])) {
                        mountedRoot = host;
                    }
                } else {
                    assertTrue(compose.volumes().containsKey(source), name + " mounts the undeclared volume " + source);
                }
            }
            Object command = service.get("command");
            if (command instanceof List<?> args && "java".equals(args.get(0))) {
                assertNotNull(mountedRoot, name + " runs java but mounts no checkout at /concierge");
                assertEquals("/concierge", service.get("working_dir"), name + " runs paths relative to /concierge");
                for (int i = 1; i < args.size() - 1; i++) {
                    if ("-jar".equals(args.get(i)) || "run".equals(args.get(i))) {
                        Path file = mountedRoot.resolve(String.valueOf(args.get(i + 1)));
                        assertTrue(Files.isRegularFile(file), name + " runs " + args.get(i + 1)
                                + ", which does not exist after the build (" + file + ")");
                    }
                }
            }
        }
        // The gateways find the Consul provider through the jar's manifest (consul/README.md).
        assertTrue(Files.isRegularFile(Checkout.path("microgateway/target/libs/consul.jar")),
                "microgateway/target/libs/consul.jar is missing: the gateways in compose could not use Consul");
    }

    @Test
    void everyDependencyNamesAServiceWithAKnownCondition() {
        Set<String> names = compose.services().keySet();
        for (String name : names) {
            Object deps = compose.service(name).get("depends_on");
            if (deps == null) {
                continue;
            }
            Map<String, Object> byName = ComposeFile.map(deps, name + ".depends_on");
            for (var d : byName.entrySet()) {
                assertTrue(names.contains(d.getKey()), name + " depends on " + d.getKey() + ", which is no service");
                String condition = String.valueOf(ComposeFile.map(d.getValue(), name + ".depends_on." + d.getKey())
                        .get("condition"));
                assertTrue(CONDITIONS.contains(condition), name + ": unknown condition " + condition);
                if ("service_healthy".equals(condition)) {
                    assertNotNull(compose.service(d.getKey()).get("healthcheck"),
                            name + " waits for " + d.getKey() + " to be healthy, which has no healthcheck");
                }
            }
        }
    }

    @Test
    void everyImageIsPinnedToARelease() {
        for (String name : compose.services().keySet()) {
            String image = String.valueOf(compose.service(name).get("image"));
            int colon = image.lastIndexOf(':');
            assertTrue(colon > 0 && colon > image.lastIndexOf('/'), name + ": image " + image + " has no tag");
            String tag = image.substring(colon + 1);
            assertFalse(tag.equals("latest"), name + ": image " + image + " is not pinned");
            assertTrue(RELEASE_TAG.matcher(tag).matches(), name + ": image " + image
                    + " names a moving tag; pin a release (major.minor.patch)");
        }
    }

    @Test
    void clusterMembersStartOneAtATimeEachAfterThePreviousIsHealthy() {
        // The edge first (after Consul), then each gateway after exactly one member that must be healthy.
        List<String> members = new ArrayList<>();
        for (String name : compose.services().keySet()) {
            if (compose.environment(name).containsKey("CLUSTER_NAME")) {
                members.add(name);
                Map<String, Object> health = ComposeFile.map(compose.service(name).get("healthcheck"),
                        name + ".healthcheck");
                String test = String.join(" ", ComposeFile.list(health.get("test"), name + ".healthcheck.test")
                        .stream().map(String::valueOf).toList());
                String adminPort = compose.environment(name).getOrDefault("GATEWAY_ADMIN_PORT",
                        compose.environment(name).get("EDGE_ADMIN_PORT"));
                assertTrue(test.endsWith("http://127.0.0.1:" + adminPort + "/health/live"), name
                        + "'s healthcheck must probe its admin port's /health/live (was: " + test + ")");
            }
        }
        assertTrue(members.contains("edge"), "the edge is a cluster member");
        Set<String> predecessors = new HashSet<>();
        String first = null;
        for (String member : members) {
            Map<String, Object> deps = ComposeFile.map(compose.service(member).get("depends_on"), member + ".depends_on");
            List<String> memberDeps = deps.keySet().stream().filter(members::contains).toList();
            if (memberDeps.isEmpty()) {
                assertEquals(null, first, "two members start without waiting for another: " + first + ", " + member);
                first = member;
                continue;
            }
            assertEquals(1, memberDeps.size(), member + " waits for one member, not " + memberDeps);
            String previous = memberDeps.get(0);
            assertEquals("service_healthy", ComposeFile.map(deps.get(previous), member).get("condition"),
                    member + " must wait until " + previous + " is healthy (joined the cluster)");
            assertTrue(predecessors.add(previous), "two members start at once after " + previous);
        }
        assertEquals("edge", first, "the edge joins first, as in compose/demo.sh");
    }

    @Test
    void everyContainerSharesTheHostNetwork() {
        for (String name : compose.services().keySet()) {
            assertEquals("host", compose.service(name).get("network_mode"), name
                    + ": every container uses the host's network (the file's header says why)");
            assertFalse(compose.service(name).containsKey("ports"), name + " publishes ports, which host networking ignores");
        }
    }
}
