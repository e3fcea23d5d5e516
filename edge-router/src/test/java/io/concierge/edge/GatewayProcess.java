package io.concierge.edge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real {@code microgateway run <file>} process started by a test: its ports read from the
 * launcher's banner, its output (for failure messages), and the signals the process tests send.
 * Closing it kills the process if it is still alive, so no test leaves one behind.
 */
final class GatewayProcess implements AutoCloseable {
    /** Built by the microgateway module's package phase. */
    static final Path JAR = Path.of("..", "microgateway", "target", "microgateway.jar");
    private static final Pattern BANNER = Pattern.compile(
            "gateway \\S+ listening on http://127\\.0\\.0\\.1:(\\d+) admin http://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Duration bound;
    private final CompletableFuture<int[]> ports = new CompletableFuture<>();
    private final StringBuffer output = new StringBuffer();

    private GatewayProcess(Process process, Duration bound) {
        this.process = process;
        this.bound = bound;
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
    }

    /** Starts {@code java <jvmFlags> -jar microgateway.jar run <file>}; {@code bound} limits every wait on it. */
    static GatewayProcess start(Path file, Duration bound, String... jvmFlags) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmFlags));
        command.addAll(List.of("-jar", JAR.toString(), "run", file.toString()));
        return new GatewayProcess(new ProcessBuilder(command).redirectErrorStream(true).start(), bound);
    }

    /** Waits (within the bound) until the gateway serves; an AssertionError with its output if it does not. */
    void awaitListening() {
        listening();
    }

    /** The public port, once serving (waits within the bound). */
    int port() {
        return listening()[0];
    }

    /** The admin port, once serving (waits within the bound). */
    int adminPort() {
        return listening()[1];
    }

    private int[] listening() {
        try {
            return ports.get(bound.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the gateway did not start within " + bound.toSeconds() + " s:\n" + output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the gateway", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(e.getCause().getMessage(), e.getCause());
        }
    }

    long pid() {
        return process.pid();
    }

    String output() {
        return output.toString();
    }

    /** SIGTERM: the JVM runs its shutdown hook (drain, then close). */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL: no shutdown hook, no deregistration, sockets closed by the kernel. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(bound.toSeconds(), TimeUnit.SECONDS);
    }

    /** Waits (within the bound) for the process to end; its exit status. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(bound.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("the gateway did not exit within " + bound.toSeconds() + " s:\n" + output);
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
