package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireUpstream;

/**
 * The demo contract's reload, on a real gateway process ({@code java -jar microgateway.jar run
 * gateway.yaml}) as {@code ./concierge demo} starts it: an edit of the file is serving within 5 s
 * without a restart, and SIGHUP reloads instead of ending the process (the JVM's default for HUP).
 */
class GatewayProcessReloadIT {
    private static final Duration BOUND = Duration.ofSeconds(30);

    private final Resources resources = new Resources();

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    private static String yaml(int upstreamPort, String... routes) {
        StringBuilder r = new StringBuilder();
        for (String route : routes) {
            r.append("  - id: ").append(route).append("\n    match: {path: /api/").append(route)
                    .append("/**}\n    service: backend\n");
        }
        return """
                domain: test
                prefixes: [/api]
                listen: {host: 127.0.0.1, port: 0}
                admin: {host: 127.0.0.1, port: 0}
                discovery: {type: static}
                access-log: {enabled: false}
                services:
                  backend:
                    instances:
                      - url: http://127.0.0.1:%d
                routes:
                """.formatted(upstreamPort) + r;
    }

    private void write(Path file, String text) throws IOException {
        Path tmp = Files.writeString(dir.resolve("gateway.yaml.tmp"), text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int status(int port, String path) {
        try {
            return WireClient.exchange(port, "GET", path).status();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double reloads(int adminPort, String result) throws IOException {
        return new PrometheusScrape(WireClient.exchange(adminPort, "GET", "/metrics").bodyText())
                .value("concierge_config_reloads_total", "result", result);
    }

    @Test
    void anEditedFileServesWithinFiveSecondsAndSighupReloads() throws Exception {
        assertTrue(Files.isRegularFile(GatewayProcess.JAR), GatewayProcess.JAR + " is built by the microgateway module's package phase");
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml(upstream.port(), "a"));
        GatewayProcess process = GatewayProcess.start(file, BOUND, "-Xmx128m");
        resources.track(() -> {
            process.terminate(); // a graceful stop first; close() kills what is still running after it
            try {
                process.awaitExit();
            } catch (AssertionError stillRunning) {
                // killed by close()
            } finally {
                process.close();
            }
        });
        int[] p = {process.port(), process.adminPort()};
        int port = p[0];
        int admin = p[1];
        assertEquals(200, status(port, "/api/a/1"));
        assertEquals(404, status(port, "/api/b/1"));

        write(file, yaml(upstream.port(), "a", "b"));
        Poll.until("the edited file's new route serves (demo contract: within 5 s)", Duration.ofSeconds(5),
                () -> status(port, "/api/b/1") == 200);

        // The file is unchanged now: SIGHUP must reload (counted as unchanged), not end the JVM.
        double unchangedBefore = reloads(admin, "unchanged");
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start();
        assertEquals(0, kill.waitFor());
        Poll.until("SIGHUP counted as a reload", BOUND, () -> {
            try {
                return reloads(admin, "unchanged") > unchangedBefore;
            } catch (IOException e) {
                throw new AssertionError("the gateway stopped answering after SIGHUP:\n" + process.output(), e);
            }
        });
        assertTrue(process.isAlive(), process.output());
        assertEquals(200, status(port, "/api/b/1"));
        assertEquals(1.0, reloads(admin, "applied"), "exactly one reload for the one edit (debounced)");
    }
}
