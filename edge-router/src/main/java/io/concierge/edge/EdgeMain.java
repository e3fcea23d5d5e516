package io.concierge.edge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.cluster.ClusterMember;
import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.DiscoveryConfig;
import io.concierge.gateway.config.InstanceConfig;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.EmbeddedRegistry;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.discovery.StaticDiscovery;
import io.helidon.logging.common.LogConfig;

/** {@code edge-router run|validate <edge.yaml>}. */
public final class EdgeMain {
    private EdgeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LogConfig.configureRuntime();
        if (args.length != 2 || !(args[0].equals("run") || args[0].equals("validate"))) {
            System.err.println("usage: edge-router run|validate <edge.yaml>");
            System.exit(64);
        }
        Path file = Path.of(args[1]);
        if (!Files.isRegularFile(file)) {
            System.err.println(file + ": no such file");
            System.exit(2);
        }
        EdgeConfig config;
        try {
            config = EdgeConfig.load(file);
        } catch (ConfigException e) {
            System.err.println("invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (args[0].equals("validate")) {
            System.out.println(file + ": valid");
            return;
        }
        HazelcastInstance hz = null;
        Discovery discovery;
        if (config.discovery().type() == DiscoveryConfig.Type.EMBEDDED) {
            hz = ClusterMember.start(config.cluster(), "edge-" + ProcessHandle.current().pid());
            discovery = new EmbeddedRegistry(hz);
        } else if (config.discovery().type() == DiscoveryConfig.Type.PROVIDED) {
            // Another registry (Consul) finds the gateways; the cluster still carries the shared
            // rate-limit counters.
            hz = ClusterMember.start(config.cluster(), "edge-" + ProcessHandle.current().pid());
            discovery = config.discovery().provided().open();
        } else {
            discovery = new StaticDiscovery(staticRegistrations(config.discovery()));
        }
        EdgeServer edge;
        try {
            edge = EdgeServer.start(config, discovery, hz);
        } catch (RuntimeException e) {
            // A process that failed to start must not linger as a cluster member.
            System.err.println("startup failed: " + e);
            discovery.close();
            if (hz != null) {
                hz.shutdown();
            }
            System.exit(1);
            return;
        }
        System.out.println("edge listening on http://" + config.listen().host() + ":" + edge.port()
                + " admin http://" + config.admin().host() + ":" + edge.adminPort());
        CountDownLatch stopped = new CountDownLatch(1);
        HazelcastInstance member = hz;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            edge.close();
            discovery.close();
            if (member != null) {
                member.shutdown();
            }
            stopped.countDown();
        }, "edge-shutdown"));
        stopped.await();
    }

    static List<Registration> staticRegistrations(DiscoveryConfig d) {
        List<Registration> rs = new ArrayList<>();
        for (DiscoveryConfig.StaticGateway g : d.gateways()) {
            int i = 0;
            for (InstanceConfig inst : g.instances()) {
                rs.add(new Registration(g.domain() + "-static-" + i++, g.domain(), g.prefixes(), inst.host(),
                        inst.port(), 0, 0L, Map.of()));
            }
        }
        return rs;
    }
}
