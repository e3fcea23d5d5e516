package io.concierge.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import io.concierge.edge.EdgeConfig;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;

/**
 * compose/kubernetes/ and the Dockerfile, checked by reading them (no cluster and no Docker engine
 * here; the docs say they are untested against a live cluster): every manifest is valid YAML with the
 * expected kinds; each Deployment's config (its ConfigMap) loads as a gateway.yaml / edge.yaml and
 * listens on the ports the container declares; the probes' paths are served by a real gateway's admin
 * port; Services, the PodDisruptionBudgets and the cluster's headless Service select the pods they
 * mean; the cluster joins through that Service's DNS name; the jars the containers run are the ones
 * the Dockerfile copies, as a non-root user.
 */
class KubernetesManifestsTest {
    private static final Path DIR = Checkout.path("compose/kubernetes");
    /** What ${POD_IP} and the secrets resolve to when the configs are loaded here. */
    private static final Map<String, String> POD_ENV = Map.of("POD_IP", "10.1.2.3",
            "JWT_SECRET", "a-test-secret-of-at-least-32-bytes-long!!");
    private final Resources resources = new Resources();

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    record Doc(String file, Map<String, Object> body) {
        String kind() {
            return (String) body.get("kind");
        }

        String name() {
            return (String) map(body, "metadata").get("name");
        }
    }

    private static List<Doc> docs() throws IOException {
        List<Doc> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object o : new Yaml().loadAll(Files.readString(f))) {
                    if (o != null) {
                        docs.add(new Doc(f.getFileName().toString(), map(o, f + " document")));
                    }
                }
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        assertTrue(o instanceof Map, what + " is not a mapping: " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, String what) {
        assertTrue(o instanceof List, what + " is not a list: " + o);
        return (List<Object>) o;
    }

    private static Map<String, Object> map(Map<String, Object> m, String key) {
        return map(m.get(key), key);
    }

    private static Doc find(List<Doc> docs, String kind, String name) {
        return docs.stream().filter(d -> d.kind().equals(kind) && d.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @Test
    void everyManifestParsesWithTheExpectedKinds() throws IOException {
        List<Doc> docs = docs();
        Set<String> kinds = new HashSet<>();
        for (Doc d : docs) {
            kinds.add(d.kind());
            assertNotNull(d.body().get("apiVersion"), d.file() + ": apiVersion");
            assertNotNull(d.name(), d.file() + ": metadata.name");
            if (!d.kind().equals("Namespace")) {
                assertEquals("concierge", map(d.body(), "metadata").get("namespace"), d.file() + " " + d.name());
            }
        }
        assertEquals(Set.of("Namespace", "Secret", "Service", "ConfigMap", "Deployment", "PodDisruptionBudget"), kinds);
        List<String> deployments = docs.stream().filter(d -> d.kind().equals("Deployment")).map(Doc::name).sorted().toList();
        assertEquals(List.of("edge", "orders-gateway", "payments-gateway", "products-gateway", "users-gateway"), deployments);
        for (String name : deployments) {
            Doc pdb = find(docs, "PodDisruptionBudget", name);
            assertEquals(podLabels(find(docs, "Deployment", name)).get("app.kubernetes.io/name"),
                    map(map(pdb.body(), "spec"), "selector").get("matchLabels") instanceof Map<?, ?> m
                            ? m.get("app.kubernetes.io/name") : null, "the PDB of " + name + " selects its pods");
        }
    }

    @Test
    void eachDeploymentsConfigLoadsAndMatchesItsContainer() throws IOException {
        List<Doc> docs = docs();
        Doc headless = find(docs, "Service", "concierge-cluster");
        Map<String, Object> headlessSpec = map(headless.body(), "spec");
        assertEquals("None", headlessSpec.get("clusterIP"), "the cluster Service is headless");
        assertEquals(true, headlessSpec.get("publishNotReadyAddresses"), "members join before they are ready");
        String clusterDns = "concierge-cluster.concierge.svc.cluster.local";
        for (Doc d : docs.stream().filter(x -> x.kind().equals("Deployment")).toList()) {
            Map<String, Object> container = container(d);
            List<Object> args = list(container.get("args"), d.name() + " args");
            String configFile = String.valueOf(args.get(2));
            assertEquals("run", args.get(1));
            String text = configText(docs, d, configFile);
            Map<String, Integer> ports = new HashMap<>();
            for (Object p : list(container.get("ports"), d.name() + " ports")) {
                Map<String, Object> port = map(p, "port");
                ports.put((String) port.get("name"), (Integer) port.get("containerPort"));
            }
            int listen;
            int admin;
            String serviceDns;
            if (configFile.endsWith("edge.yaml")) {
                assertTrue(String.valueOf(args.get(0)).endsWith("edge-router.jar"), d.name() + " runs the edge");
                EdgeConfig c = EdgeConfig.parse(configFile, text, POD_ENV::get);
                listen = c.listen().port();
                admin = c.admin().port();
                serviceDns = c.cluster().kubernetesServiceDns();
                assertEquals("10.1.2.3", c.listen().host());
            } else {
                assertTrue(String.valueOf(args.get(0)).endsWith("microgateway.jar"), d.name() + " runs a gateway");
                GatewayConfig c = GatewayConfig.parse(configFile, text, POD_ENV::get);
                assertEquals(d.name(), c.domain() + "-gateway");
                listen = c.listen().port();
                admin = c.admin().port();
                serviceDns = c.cluster().kubernetesServiceDns();
                assertEquals("10.1.2.3", c.listen().host(), "a gateway registers the address it listens on: the pod's");
                assertTrue(c.shutdown().drain().toSeconds() >= 1, d.name() + " drains on SIGTERM");
                long stopSeconds = c.shutdown().drain().plus(c.shutdown().gracePeriod()).toSeconds();
                Object grace = map(map(map(d.body(), "spec"), "template"), "spec").get("terminationGracePeriodSeconds");
                assertTrue(((Integer) grace) > stopSeconds, d.name() + ": Kubernetes waits longer than drain + grace");
            }
            assertEquals(ports.get("http"), listen, d.name() + ": the http containerPort is the config's listen port");
            assertEquals(ports.get("admin"), admin, d.name() + ": the admin containerPort is the config's admin port");
            assertEquals(5701, ports.get("cluster"));
            assertEquals(clusterDns, serviceDns, d.name() + " joins through the headless Service");
            Map<String, Object> labels = podLabels(d);
            map(headlessSpec, "selector").forEach((k, v) -> assertEquals(v, labels.get(k),
                    d.name() + " pods are selected by the cluster Service"));
            for (String probe : List.of("readinessProbe", "livenessProbe")) {
                Map<String, Object> get = map(map(container, probe), "httpGet");
                assertEquals("admin", get.get("port"), d.name() + " " + probe + " on the admin port");
            }
            assertEquals("/health/ready", map(map(container, "readinessProbe"), "httpGet").get("path"));
            assertEquals("/health/live", map(map(container, "livenessProbe"), "httpGet").get("path"));
            assertNotNull(map(container, "resources").get("requests"), d.name() + " resources");
            Map<String, Object> podSecurity = map(map(map(map(d.body(), "spec"), "template"), "spec"), "securityContext");
            assertEquals(true, podSecurity.get("runAsNonRoot"));
        }
        Map<String, Object> edgeService = map(find(docs, "Service", "edge").body(), "spec");
        assertEquals(Map.of("app.kubernetes.io/name", "edge"), edgeService.get("selector"));
        assertEquals("http", map(list(edgeService.get("ports"), "ports").get(0), "port").get("targetPort"));
    }

    @Test
    void theProbePathsAreServedOnTheAdminPort() throws Exception {
        GatewayServer g = resources.track(TestGateways.startOneRoute(1));
        for (String path : List.of("/health/ready", "/health/live")) {
            assertEquals(200, WireClient.exchange(g.adminPort(), "GET", path).status(), path);
        }
    }

    @Test
    void theDockerfileCopiesWhatTheContainersRunAndRunsAsNonRoot() {
        String dockerfile = Checkout.read("Dockerfile");
        assertTrue(dockerfile.contains("/opt/concierge/microgateway/microgateway.jar"));
        assertTrue(dockerfile.contains("/opt/concierge/edge-router/edge-router.jar"));
        assertTrue(dockerfile.contains("COPY --from=build /src/microgateway/target/libs/ /opt/concierge/microgateway/libs/"));
        assertTrue(dockerfile.contains("COPY --from=build /src/edge-router/target/libs/ /opt/concierge/edge-router/libs/"));
        assertTrue(dockerfile.lines().anyMatch(l -> l.startsWith("USER 10001")), "non-root user");
        assertTrue(dockerfile.lines().anyMatch(l -> l.matches("FROM eclipse-temurin:(2[1-9]|[3-9]\\d)-jre.*")), "JRE 21+");
        assertFalse(dockerfile.contains("JAVA_TOOL_OPTIONS"), "no 'Picked up' line at start");
    }

    private static Map<String, Object> container(Doc d) {
        List<Object> containers = list(map(map(map(d.body(), "spec"), "template"), "spec").get("containers"), "containers");
        assertEquals(1, containers.size());
        return map(containers.get(0), d.name() + " container");
    }

    private static Map<String, Object> podLabels(Doc d) {
        return map(map(map(map(d.body(), "spec"), "template"), "metadata"), "labels");
    }

    /** The config file the Deployment mounts at /config, from its ConfigMap. */
    private static String configText(List<Doc> docs, Doc deployment, String configPath) {
        Map<String, Object> podSpec = map(map(map(deployment.body(), "spec"), "template"), "spec");
        String configMap = null;
        for (Object v : list(podSpec.get("volumes"), "volumes")) {
            Map<String, Object> volume = map(v, "volume");
            if ("config".equals(volume.get("name"))) {
                configMap = (String) map(volume, "configMap").get("name");
            }
        }
        assertNotNull(configMap, deployment.name() + " mounts a config volume");
        assertTrue(configPath.startsWith("/config/"), configPath);
        Object text = map(find(docs, "ConfigMap", configMap).body(), "data").get(configPath.substring("/config/".length()));
        assertNotNull(text, configMap + " has " + configPath);
        return (String) text;
    }
}
