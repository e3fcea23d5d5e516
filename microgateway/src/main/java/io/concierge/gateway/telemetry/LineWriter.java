package io.concierge.gateway.telemetry;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes access-log lines from one background thread, in batches with one flush each, instead of
 * a locked print and flush on every request's thread (and without waking that thread per line, see
 * {@link #run}): under load the lock and the write system
 * call per line were a visible share of a request's CPU (docs/benchmarks.md, issue 19). Lines keep
 * their order. The queue is bounded: when the writer falls behind (a blocked stdout), requests wait
 * for room rather than lines being dropped, and every such wait is counted. Lines still queued are
 * written before the JVM exits normally; a killed process loses at most the lines of one batch.
 */
final class LineWriter {
    static final int CAPACITY = 65_536;
    private static final int BATCH = 1024;
    private static final long FLUSH_WAIT_NANOS = 5_000_000_000L;
    static final long MIN_PAUSE_NANOS = 1_000_000L;
    static final long MAX_PAUSE_NANOS = 50_000_000L;

    private final PrintStream out;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final LongAdder stalls = new LongAdder();
    private final Object drainLock = new Object();
    /** Lines queued, and lines printed (under drainLock): a flush waits for a batch the writer holds. */
    private final AtomicLong queued = new AtomicLong();
    private long printed;

    LineWriter(PrintStream out, String threadName) {
        this.out = out;
        Thread writer = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::run);
        writer.start();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name(threadName + "-exit").unstarted(this::flush));
    }

    /** Queues one line (without its line separator). */
    void write(String line) {
        if (!queue.offer(line)) {
            stalls.increment();
            try {
                queue.put(line);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                synchronized (drainLock) {
                    out.println(line); // never lose the line of an interrupted request
                }
                return;
            }
        }
        queued.incrementAndGet();
    }

    /**
     * Waits until the writer thread has printed every line queued before the call (at most a few
     * seconds, so an exit never hangs on a blocked stream). Only that thread takes lines from the
     * queue, which is what keeps them in order.
     */
    void flush() {
        long target = queued.get();
        long deadline = System.nanoTime() + FLUSH_WAIT_NANOS;
        synchronized (drainLock) {
            while (printed < target && System.nanoTime() < deadline) {
                try {
                    drainLock.wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            out.flush();
        }
    }

    /** How many lines had to wait for room in the queue. */
    long stalls() {
        return stalls.sum();
    }

    /**
     * Polls the queue instead of waiting on it: a writer blocked in {@code take} is woken by the
     * request that queues the next line, a futex call and a context switch on nearly every request
     * under load (issue 19). Polling costs a latency of at most {@link #MAX_PAUSE_NANOS} for a line
     * on an idle server, and the pause doubles from {@link #MIN_PAUSE_NANOS} while nothing arrives,
     * so an idle writer wakes rarely.
     */
    private void run() {
        List<String> batch = new ArrayList<>(BATCH);
        long pause = MIN_PAUSE_NANOS;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (queue.drainTo(batch, BATCH) == 0) {
                    LockSupport.parkNanos(pause);
                    pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
                    continue;
                }
                pause = MIN_PAUSE_NANOS;
                synchronized (drainLock) {
                    print(batch);
                    out.flush();
                    drainLock.notifyAll();
                }
            } catch (RuntimeException e) {
                batch.clear(); // a broken stream must not stop the writer; PrintStream records its own errors
            }
        }
    }

    private void print(List<String> batch) {
        StringBuilder sb = new StringBuilder(batch.size() * 320);
        String nl = System.lineSeparator();
        for (String line : batch) {
            sb.append(line).append(nl);
        }
        out.print(sb);
        printed += batch.size();
        batch.clear();
    }
}
