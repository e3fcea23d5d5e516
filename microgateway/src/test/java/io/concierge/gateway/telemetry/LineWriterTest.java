package io.concierge.gateway.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The access log's background writer: every line written once, in order per writer, after a flush. */
class LineWriterTest {
    @Test
    void everyLineArrivesOnceInOrderPerThreadAfterFlush() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8);
        LineWriter writer = new LineWriter(out, "line-writer-test");
        int threads = 4;
        int perThread = 20_000; // more than fits the queue at once in total: writers wait for room
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            started.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    writer.write("t" + id + " " + i);
                }
            }));
        }
        for (Thread t : started) {
            t.join();
        }
        writer.flush();
        String[] lines;
        synchronized (out) {
            lines = bytes.toString(StandardCharsets.UTF_8).split(System.lineSeparator());
        }
        assertEquals(threads * perThread, lines.length);
        Map<String, Integer> next = new HashMap<>();
        for (String line : lines) {
            String[] parts = line.split(" ");
            int expected = next.getOrDefault(parts[0], 0);
            assertEquals(expected, Integer.parseInt(parts[1]), "line order of " + parts[0]);
            next.put(parts[0], expected + 1);
        }
        assertEquals(threads, next.size());
    }

    @Test
    void aLineReachesTheStreamWithoutAFlushAfterTheWriterIdled() throws Exception {
        // The writer polls with a growing pause instead of being woken per line: a line written after
        // it has idled to its longest pause must still arrive on its own.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        LineWriter writer = new LineWriter(out, "line-writer-idle-test");
        writer.write("first");
        io.concierge.gateway.testing.Poll.until("the first line", java.time.Duration.ofSeconds(10),
                () -> text(out, bytes).contains("first"));
        long idleSince = System.nanoTime();
        io.concierge.gateway.testing.Poll.until("the writer to reach its longest pause", java.time.Duration.ofSeconds(10),
                () -> System.nanoTime() - idleSince > 4 * LineWriter.MAX_PAUSE_NANOS);
        writer.write("second");
        io.concierge.gateway.testing.Poll.until("the second line without a flush", java.time.Duration.ofSeconds(10),
                () -> text(out, bytes).contains("second"));
    }

    private static String text(PrintStream out, ByteArrayOutputStream bytes) {
        synchronized (out) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
