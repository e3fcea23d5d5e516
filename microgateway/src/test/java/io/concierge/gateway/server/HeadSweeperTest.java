package io.concierge.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.testing.Poll;

/**
 * The head deadline's sweeper (issue 19: no timer task per request): an overdue head is cut once
 * and counted, a head finished in time is not, the slots of ended connections are dropped, and the
 * sweep runs only while there are connections. End to end (real sockets, 408s, the metric) in
 * {@code RequestLimitsTest} and {@code ClientTimeoutsPerServerTest}.
 */
class HeadSweeperTest {
    private static final long TIMEOUT = TimeUnit.MILLISECONDS.toNanos(200);

    @Test
    void anOverdueHeadIsInterruptedAndCountedOnce() throws Exception {
        AtomicLong cut = new AtomicLong();
        try (HeadSweeper sweeper = new HeadSweeper(cut)) {
            sweeper.useTimeout(TIMEOUT);
            CountDownLatch interrupted = new CountDownLatch(1);
            CountDownLatch finished = new CountDownLatch(1);
            boolean[] inTime = new boolean[1];
            Thread connection = Thread.ofVirtual().start(() -> {
                HeadSlot slot = new HeadSlot(Thread.currentThread());
                sweeper.register(slot);
                slot.start(sweeper.deadline(TIMEOUT));
                try {
                    new CountDownLatch(1).await(); // a client that never completes its head
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
                inTime[0] = slot.finish();
                finished.countDown();
            });
            assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the sweeper interrupted the overdue head");
            assertTrue(finished.await(10, TimeUnit.SECONDS));
            assertFalse(inTime[0], "finish() reports the head as cut");
            connection.join();
            assertEquals(1, cut.get());
        }
    }

    @Test
    void aHeadFinishedInTimeIsNotCutAndEndedConnectionsStopTheSweep() throws Exception {
        AtomicLong cut = new AtomicLong();
        try (HeadSweeper sweeper = new HeadSweeper(cut)) {
            sweeper.useTimeout(TIMEOUT);
            assertFalse(sweeper.sweeping(), "no connection, no sweep");
            CountDownLatch headDone = new CountDownLatch(1);
            CountDownLatch close = new CountDownLatch(1);
            boolean[] inTime = new boolean[1];
            Thread connection = Thread.ofVirtual().start(() -> {
                HeadSlot slot = new HeadSlot(Thread.currentThread());
                sweeper.register(slot);
                slot.start(sweeper.deadline(TIMEOUT));
                inTime[0] = slot.finish();
                headDone.countDown();
                try {
                    close.await(); // the connection stays open, its head long complete
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(headDone.await(10, TimeUnit.SECONDS));
            assertTrue(inTime[0]);
            assertTrue(sweeper.sweeping(), "a live connection is swept");
            // Several sweep periods past the deadline: a finished head is never cut.
            long until = System.nanoTime() + 3 * TIMEOUT;
            Poll.until("three header timeouts have passed", Duration.ofSeconds(10), () -> System.nanoTime() > until);
            assertEquals(0, cut.get());
            assertFalse(connection.isInterrupted());
            close.countDown();
            connection.join();
            Poll.until("the ended connection's slot is dropped and the sweep stops", Duration.ofSeconds(10),
                    () -> sweeper.slots() == 0 && !sweeper.sweeping());
            assertEquals(0, cut.get());
        }
    }
}
