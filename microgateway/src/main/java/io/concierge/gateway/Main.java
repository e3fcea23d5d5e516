package io.concierge.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.DiscoveryConfig;
import io.concierge.gateway.config.GatewayConfig;
import io.concierge.gateway.cluster.ClusterMember;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.EmbeddedRegistry;
import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.server.GatewayServer;
import io.helidon.logging.common.LogConfig;

/**
 * {@code microgateway run <gateway.yaml>} starts a domain gateway; {@code microgateway validate
 * <gateway.yaml>} checks a file and exits 0 (valid) or 2 (invalid) without starting anything.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        LogConfig.configureRuntime();
        if (args.length != 2 || !(args[0].equals("run") || args[0].equals("validate"))) {
            System.err.println("usage: microgateway run|validate <gateway.yaml>");
            System.exit(64);
        }
        Path file = Path.of(args[1]);
        if (!Files.isRegularFile(file)) {
            System.err.println(file + ": no such file");
            System.exit(2);
        }
        GatewayConfig config;
        try {
            config = GatewayConfig.load(file);
        } catch (ConfigException e) {
            System.err.println("invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (args[0].equals("validate")) {
            System.out.println(file + ": valid (domain '" + config.domain() + "', " + config.routes().size()
                    + " routes, " + config.services().size() + " services, " + config.compositions().size()
                    + " compositions)");
            return;
        }
        run(config);
    }

    private static void run(GatewayConfig config) throws InterruptedException {
        HazelcastInstance hz = null;
        Discovery discovery;
        if (config.discovery().type() == DiscoveryConfig.Type.EMBEDDED) {
            hz = ClusterMember.start(config.cluster(), "gateway-" + config.domain() + "-" + ProcessHandle.current().pid());
            discovery = new EmbeddedRegistry(hz);
        } else if (config.discovery().type() == DiscoveryConfig.Type.PROVIDED) {
            // Another registry (Consul) finds the gateways; the cluster still carries the shared
            // rate-limit counters.
            hz = ClusterMember.start(config.cluster(), "gateway-" + config.domain() + "-" + ProcessHandle.current().pid());
            discovery = config.discovery().provided().open();
        } else {
            discovery = new StaticDiscovery(java.util.List.of());
        }
        GatewayServer gateway;
        try {
            gateway = GatewayServer.start(config, discovery, hz);
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
        System.out.println("gateway " + config.domain() + " listening on http://" + config.listen().host() + ":"
                + gateway.port() + " admin http://" + config.admin().host() + ":" + gateway.adminPort());
        CountDownLatch stopped = new CountDownLatch(1);
        HazelcastInstance member = hz;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            discovery.close();
            if (member != null) {
                member.shutdown();
            }
            stopped.countDown();
        }, "gateway-shutdown"));
        stopped.await();
    }
}
