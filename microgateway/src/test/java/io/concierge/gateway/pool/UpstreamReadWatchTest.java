package io.concierge.gateway.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.Pipe;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The read watch's race, step by step without a thread: a read is cut only strictly after its
 * deadline, a read that took its deadline back can no longer be cut, a cut read reports a timeout
 * and so does every later read on that connection; and the sweeper's period follows the shortest
 * timeout within its bounds.
 */
class UpstreamReadWatchTest {
    private final UpstreamReadSweeper sweeper = new UpstreamReadSweeper("test-read-watch");
    private final Pipe pipe;

    UpstreamReadWatchTest() throws IOException {
        pipe = Pipe.open();
    }

    @AfterEach
    void closePipe() throws IOException {
        pipe.source().close();
        pipe.sink().close();
    }

    private UpstreamReadWatch watch(Duration timeout) {
        UpstreamReadWatch w = new UpstreamReadWatch(sweeper, pipe.source());
        w.timeout(timeout.toNanos());
        return w;
    }

    @Test
    void aReadIsNotCutAtItsDeadlineAndNeverOnceItEnded() throws IOException {
        UpstreamReadWatch w = watch(Duration.ofSeconds(1));
        long deadline = w.begin();
        assertFalse(w.cutIfOverdue(deadline), "at the deadline the timeout has not yet passed");
        assertTrue(w.end(), "ended in time");
        assertFalse(w.cutIfOverdue(deadline + Duration.ofHours(1).toNanos()), "no read in progress");
        assertTrue(pipe.source().isOpen());
        assertFalse(w.timedOut());
    }

    @Test
    void anOverdueReadIsCutAndEveryLaterReadTimesOut() throws IOException {
        UpstreamReadWatch w = watch(Duration.ofMillis(150));
        long deadline = w.begin();
        assertTrue(w.cutIfOverdue(deadline + 1));
        assertFalse(pipe.source().isOpen(), "cutting closes the channel, which unblocks the reader");
        assertTrue(w.gone());
        assertFalse(w.end(), "the reader lost the race: a timeout");
        assertTrue(w.timedOut());
        assertThrows(SocketTimeoutException.class, w::begin);
    }

    @Test
    void readsWithoutATimeoutAreNotWatched() throws IOException {
        UpstreamReadWatch w = new UpstreamReadWatch(sweeper, pipe.source());
        long token = w.begin();
        assertEquals(UpstreamReadWatch.IDLE, token);
        assertFalse(w.cutIfOverdue(Long.MAX_VALUE));
        assertTrue(w.end());
    }

    @Test
    void thePeriodIsATenthOfTheShortestTimeoutWithinItsBounds() {
        assertEquals(UpstreamReadSweeper.MAX_PERIOD_MILLIS, sweeper.periodMillis());
        sweeper.useTimeout(Duration.ofSeconds(30).toNanos());
        assertEquals(100, sweeper.periodMillis(), "at most 100 ms");
        sweeper.useTimeout(Duration.ofMillis(150).toNanos());
        assertEquals(15, sweeper.periodMillis());
        sweeper.useTimeout(Duration.ofSeconds(1).toNanos());
        assertEquals(15, sweeper.periodMillis(), "only ever shorter");
        sweeper.useTimeout(Duration.ofMillis(1).toNanos());
        assertEquals(UpstreamReadSweeper.MIN_PERIOD_MILLIS, sweeper.periodMillis(), "at least 5 ms");
    }
}
