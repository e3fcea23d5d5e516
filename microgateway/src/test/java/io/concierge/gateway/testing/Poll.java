package io.concierge.gateway.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waiting without timing assumptions: a condition is polled until it holds or a generous deadline
 * passes, so a slow 2-core CI machine only makes a test slower, never red. The one place tests pause.
 */
public final class Poll {
    private static final long INTERVAL_NANOS = Duration.ofMillis(20).toNanos();

    private Poll() {
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            LockSupport.parkNanos(INTERVAL_NANOS);
            if (Thread.interrupted()) {
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }

    /**
     * A block of {@code size} consecutive free loopback ports, for Hazelcast members (which cannot
     * bind port 0 and probe a port range to find each other).
     */
    public static int freePortBlock(int size) {
        // Below the kernel's ephemeral range: a port that is free now but inside that range can be taken
        // a moment later as the local port of any outgoing connection (a Hazelcast join probe, an HTTP
        // client), and a probe to a port nobody listens on yet can even connect to itself.
        int top = Math.min(32768, ephemeralLow()) - size;
        int bottom = Math.min(10000, top - 1000);
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(bottom, top);
            boolean free = true;
            for (int p = base; p < base + size && free; p++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(false);
                    s.bind(new InetSocketAddress("127.0.0.1", p));
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free block of " + size + " ports on 127.0.0.1");
    }

    /** The lowest port of the kernel's ephemeral range (Linux), or 32768 where it cannot be read. */
    private static int ephemeralLow() {
        try {
            // readAllLines, not readString: /proc files report size 0 and readString returned one byte here.
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0);
            int low = Integer.parseInt(range.trim().split("\\s+")[0]);
            return low >= 16384 ? low : 32768; // a tiny range start leaves no room below it: fall back
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
