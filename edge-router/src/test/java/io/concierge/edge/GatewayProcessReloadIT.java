package io.concierge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Path JAR = Path.of("..", "microgateway", "target", "microgateway.jar");
    private static final Pattern BANNER = Pattern.compile(
            "gateway test listening on http://127\\.0\\.0\\.1:(\\d+) admin http://127\\.0\\.0\\.1:(\\d+)");

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
        assumeTrue(Files.isRegularFile(JAR), JAR + " is built by the microgateway module's package phase");
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml(upstream.port(), "a"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx128m", "-jar", JAR.toString(), "run", file.toString())
                .redirectErrorStream(true).start();
        resources.track(() -> {
            process.destroy();
            if (!process.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        });
        StringBuffer output = new StringBuffer();
        CompletableFuture<int[]> ports = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.append(line).append('\n');
                    Matcher m = BANNER.matcher(line);
                    if (m.find()) {
                        ports.complete(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
            ports.completeExceptionally(new IllegalStateException("the gateway ended before serving:\n" + output));
        });
        int[] p = ports.get(BOUND.toSeconds(), TimeUnit.SECONDS);
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
                throw new AssertionError("the gateway stopped answering after SIGHUP:\n" + output, e);
            }
        });
        assertTrue(process.isAlive(), output.toString());
        assertEquals(200, status(port, "/api/b/1"));
        assertEquals(1.0, reloads(admin, "applied"), "exactly one reload for the one edit (debounced)");
    }
}
