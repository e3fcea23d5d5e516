package io.concierge.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Supplier;

import com.hazelcast.core.HazelcastInstance;

import io.concierge.gateway.cluster.ClusterMember;
import io.concierge.gateway.config.ClusterConfig;
import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.DiscoveryConfig;
import io.concierge.gateway.discovery.EmbeddedRegistry;
import io.concierge.gateway.reload.Reloadable;
import io.concierge.gateway.server.Drainable;
import io.concierge.gateway.telemetry.LogFormat;
import io.helidon.logging.common.LogConfig;

/**
 * What the gateway's and the edge's {@code main} share: the {@code run|validate <file>} command
 * line with its exit codes (64 usage, 2 missing file or invalid configuration, 1 failed start), and
 * the process life cycle: join the cluster, open discovery, start the server, reload its file when
 * it changes or on SIGHUP, and on shutdown close them in reverse order.
 */
public final class Launcher {
    private Launcher() {
    }

    /**
     * Reads the command line ({@code run|validate <file>}) and loads the file, or exits with a
     * message and the right status. For {@code validate} it prints {@code <file>: valid (<summary>)}
     * and returns null: the caller stops there without starting anything.
     *
     * @param summary what a valid file holds, in a few words
     */
    public static <C> C configToRun(String program, String fileName, String[] args, Function<Path, C> loader,
                                    Function<C, String> summary) {
        LogConfig.configureRuntime();
        try {
            LogFormat.apply(System.getenv(LogFormat.ENV));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
        if (args.length != 2 || !(args[0].equals("run") || args[0].equals("validate"))) {
            System.err.println("usage: " + program + " run|validate <" + fileName + ">");
            System.exit(64);
        }
        Path file = Path.of(args[1]);
        if (!Files.isRegularFile(file)) {
            System.err.println(file + ": no such file");
            System.exit(2);
        }
        C config;
        try {
            config = loader.apply(file);
        } catch (ConfigException e) {
            System.err.println("invalid configuration: " + e.getMessage());
            System.exit(2);
            return null;
        }
        if (args[0].equals("validate")) {
            System.out.println(file + ": valid (" + summary.apply(config) + ")");
            return null;
        }
        return config;
    }

    /**
     * Joins the cluster unless discovery is static (a registry such as Consul still needs it: the
     * shared rate-limit counters live there), starts the server, prints its banner and blocks until
     * the JVM shuts down. A start that fails leaves the cluster and exits 1: a process that did not
     * start must not linger as a cluster member.
     *
     * @param memberName this process's name in the cluster
     * @param staticDiscovery the discovery to use when {@code discovery.type} is {@code static}
     * @param start      starts the server on the discovery and cluster member (null without a cluster)
     * @param banner     the line printed once it listens
     */
    public static <S extends AutoCloseable> void run(String memberName, ClusterConfig cluster, DiscoveryConfig discoveryConfig,
                                              Supplier<Discovery> staticDiscovery, Starter<S> start,
                                              Function<S, String> banner) throws InterruptedException {
        HazelcastInstance hz = null;
        Discovery discovery;
        if (discoveryConfig.type() == DiscoveryConfig.Type.STATIC) {
            discovery = staticDiscovery.get();
        } else {
            hz = ClusterMember.start(cluster, memberName);
            discovery = discoveryConfig.type() == DiscoveryConfig.Type.EMBEDDED ? new EmbeddedRegistry(hz)
                    : discoveryConfig.provided().open();
        }
        S server;
        try {
            server = start.start(discovery, hz);
        } catch (RuntimeException e) {
            System.err.println("startup failed: " + e);
            discovery.close();
            if (hz != null) {
                hz.shutdown();
            }
            System.exit(1);
            return;
        }
        if (server instanceof Reloadable r) {
            // A process started from a file follows it: edits (debounced) and SIGHUP reload it.
            r.reloads().watchFile().onSighup();
        }
        System.out.println(banner.apply(server));
        CountDownLatch stopped = new CountDownLatch(1);
        HazelcastInstance member = hz;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (server instanceof Drainable d) {
                    d.drain(); // not ready, deregistered, serving out the drain window
                }
                server.close(); // deregisters first, then stops listening
            } catch (Exception e) {
                System.err.println("shutdown: " + e);
            }
            discovery.close();
            if (member != null) {
                member.shutdown();
            }
            stopped.countDown();
        }, memberName + "-shutdown"));
        stopped.await();
    }

    /** Starts the server; {@code cluster} is null when the process runs without one. */
    @FunctionalInterface
    public interface Starter<S> {
        S start(Discovery discovery, HazelcastInstance cluster);
    }
}
