package io.concierge.gateway.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.TestPki;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireUpstream;
import io.concierge.gateway.tls.UpstreamTls;
import io.concierge.gateway.tls.UpstreamTlsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream read timeouts without timed socket reads, on real sockets: a silent upstream or a stalled
 * body ends in {@link SocketTimeoutException} (what the 504s, retries and breakers above rely on) and
 * the connection is closed and never pooled again; an answer slower than several sweeps but within
 * its timeout is read whole; the sweeper's thread runs only while there are connections; and the
 * socket's own timeout stays 0 through an exchange, plain and TLS, so a change that brings back a
 * timed read (and its timer cost on virtual threads) fails here.
 *
 * <p>Each test has its own sweeper, so periods and threads do not leak between tests. Waits that
 * old code would never end are bounded by {@code assertTimeoutPreemptively}; no test asserts a time.
 */
class UpstreamReadTimeoutTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    private final UpstreamReadSweeper sweeper = new UpstreamReadSweeper("test-upstream-read-deadline");
    private final List<UpstreamConnection> opened = new ArrayList<>();

    @AfterEach
    void closeConnectionsAndSeeTheSweeperStop() {
        opened.forEach(UpstreamConnection::close);
        Poll.until("the sweeper's thread stops", BOUND, () -> !sweeper.sweeping());
    }

    /** A new connection of {@code pool}, closed after the test whatever happens. */
    private UpstreamConnection open(ConnectionPool pool) throws IOException {
        UpstreamConnection c = pool.open(Duration.ofSeconds(5));
        opened.add(c);
        return c;
    }

    private ConnectionPool pool(int port) {
        return new ConnectionPool("127.0.0.1", port, 4, Duration.ofSeconds(30), null, sweeper);
    }

    private static void send(UpstreamConnection c, String path) throws IOException {
        c.out().write(("GET " + path + " HTTP/1.1\r\nHost: upstream\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        c.out().flush();
    }

    /** Reads a response with a Content-Length; returns its body. */
    private static String readResponse(UpstreamConnection c) throws IOException {
        UpstreamConnection.HeadReader in = c.in();
        String status = in.readLine(1024);
        assertNotNull(status, "a response");
        assertTrue(status.startsWith("HTTP/1.1 200"), status);
        int length = -1;
        for (String line = in.readLine(1024); !line.isEmpty(); line = in.readLine(1024)) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        assertTrue(length >= 0, "a Content-Length");
        byte[] body = in.readNBytes(length);
        assertEquals(length, body.length, "the whole body");
        return new String(body, StandardCharsets.ISO_8859_1);
    }

    @Test
    void anUpstreamThatNeverAnswersTimesOutAndItsConnectionIsClosedAndNotPooled() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (WireUpstream upstream = WireUpstream.start(WireUpstream.heldUntil(never, WireUpstream.standard()));
             ConnectionPoolCloser pool = new ConnectionPoolCloser(pool(upstream.port()))) {
            UpstreamConnection c = open(pool.it());
            assertTrue(sweeper.sweeping(), "an open connection is watched");
            c.readTimeout(Duration.ofMillis(150));
            send(c, "/silent");
            assertTimeoutPreemptively(BOUND,
                    () -> assertThrows(SocketTimeoutException.class, () -> c.in().readLine(1024)));
            assertFalse(c.isOpen(), "the sweeper closed the connection of the overdue read");
            assertThrows(SocketTimeoutException.class, () -> c.in().read(), "later reads report the timeout too");
            pool.it().release(c); // even handed back by mistake, a timed-out connection is not used again
            assertNull(pool.it().pooled());
            c.close();
        } finally {
            never.countDown();
        }
    }

    @Test
    void anAnswerWithinTheTimeoutIsReadWholeAndTheConnectionIsReused() throws Exception {
        // Late by several sweep periods (100 ms for a 5 s timeout), but well within the timeout.
        long lateNanos = Duration.ofMillis(400).toNanos();
        try (WireUpstream upstream = WireUpstream.start(r -> {
                LockSupport.parkNanos(lateNanos); // a slow upstream, not a synchronisation
                return UpstreamReply.text(200, "late but in time");
            });
             ConnectionPoolCloser pool = new ConnectionPoolCloser(pool(upstream.port()))) {
            UpstreamConnection c = open(pool.it());
            c.readTimeout(Duration.ofSeconds(5));
            send(c, "/slow");
            assertEquals("late but in time", assertTimeoutPreemptively(BOUND, () -> readResponse(c)));
            pool.it().release(c);
            assertSame(c, pool.it().pooled(), "a connection whose reads were in time is reused");
            c.close();
        }
    }

    @Test
    void aBodyThatStallsAfterTheHeadTimesOut() throws Exception {
        try (StallingUpstream upstream = new StallingUpstream();
             ConnectionPoolCloser pool = new ConnectionPoolCloser(pool(upstream.port()))) {
            UpstreamConnection c = open(pool.it());
            c.readTimeout(Duration.ofMillis(150));
            send(c, "/stall");
            assertEquals("HTTP/1.1 200 OK", c.in().readLine(1024));
            assertEquals("Content-Length: 10", c.in().readLine(1024));
            assertEquals("", c.in().readLine(1024));
            byte[] body = new byte[10];
            assertEquals(5, c.in().read(body, 0, 10), "the bytes that did arrive");
            assertTimeoutPreemptively(BOUND,
                    () -> assertThrows(SocketTimeoutException.class, () -> c.in().read(body, 5, 5)));
            assertFalse(c.isOpen());
            c.close();
        }
    }

    @Test
    void theSweeperThreadStopsWithTheLastConnectionAndStartsWithTheNext() throws Exception {
        try (WireUpstream upstream = WireUpstream.start();
             ConnectionPoolCloser pool = new ConnectionPoolCloser(pool(upstream.port()))) {
            assertFalse(sweeper.sweeping(), "no connection, no thread");
            UpstreamConnection first = open(pool.it());
            UpstreamConnection second = open(pool.it());
            assertTrue(sweeper.sweeping());
            first.close();
            assertEquals(1, sweeper.connections());
            assertTrue(sweeper.sweeping(), "one connection left");
            second.close();
            Poll.until("the sweeper's thread stops", BOUND, () -> !sweeper.sweeping());
            assertEquals(0, sweeper.connections());

            UpstreamConnection third = open(pool.it());
            assertTrue(sweeper.sweeping(), "a new connection starts the sweeper again");
            third.readTimeout(Duration.ofMillis(150));
            send(third, "/fixed/1");
            third.in().readLine(1024); // the restarted sweeper watches reads as before
            third.close();
        }
    }

    @Test
    void aPlainConnectionKeepsAnUntimedSocketThroughAnExchange() throws Exception {
        try (WireUpstream upstream = WireUpstream.start();
             ConnectionPoolCloser pool = new ConnectionPoolCloser(pool(upstream.port()))) {
            assertUntimedThroughExchanges(pool.it());
        }
    }

    @Test
    void aTlsConnectionKeepsAnUntimedSocketThroughAnExchangeAndTimesOutAsAPlainOne(@TempDir Path dir)
            throws Exception {
        TestPki ca = TestPki.create(dir, "read-timeout-ca");
        TestPki.Leaf leaf = ca.issue("upstream", "ip:127.0.0.1,dns:localhost");
        UpstreamTlsConfig config = new UpstreamTlsConfig(ca.caPem(), null, null, null, null, null,
                UpstreamTlsConfig.DEFAULT_PROTOCOLS, Duration.ofSeconds(10));
        CountDownLatch never = new CountDownLatch(1);
        WireUpstream.Responder silentOnPurpose = WireUpstream.choose(r -> r.path().equals("/silent"),
                WireUpstream.heldUntil(never, WireUpstream.standard()), WireUpstream.standard());
        try (WireUpstream upstream = WireUpstream.startTls(leaf.serverContext(ca), false, silentOnPurpose);
             UpstreamTls tls = UpstreamTls.start("backend", config);
             ConnectionPoolCloser pool = new ConnectionPoolCloser(new ConnectionPool("127.0.0.1", upstream.port(), 4,
                     Duration.ofSeconds(30), tls, sweeper))) {
            assertUntimedThroughExchanges(pool.it());

            UpstreamConnection c = open(pool.it());
            c.readTimeout(Duration.ofMillis(150));
            send(c, "/silent");
            assertTimeoutPreemptively(BOUND,
                    () -> assertThrows(SocketTimeoutException.class, () -> c.in().readLine(1024)));
            assertFalse(c.isOpen());
        } finally {
            never.countDown();
        }
    }

    private void assertUntimedThroughExchanges(ConnectionPool pool) throws IOException {
        UpstreamConnection c = open(pool);
        assertEquals(0, c.socketTimeoutMillis(), "connected (and handshaken): untimed reads");
        for (int i = 0; i < 2; i++) {
            c.readTimeout(Duration.ofSeconds(5));
            send(c, "/fixed/100");
            assertEquals(100, readResponse(c).length());
            assertEquals(0, c.socketTimeoutMillis(), "the read timeout is not the socket's");
            pool.release(c);
            assertSame(c, pool.pooled());
        }
        c.close();
    }

    /** Closes a pool at the end of a try-with-resources. */
    private record ConnectionPoolCloser(ConnectionPool it) implements AutoCloseable {
        @Override
        public void close() {
            it.close();
        }
    }

    /**
     * Answers every connection's request with a head promising 10 body bytes and then sends 5 of
     * them and nothing more, until the client closes the connection.
     */
    private static final class StallingUpstream implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final Thread acceptor;
        private volatile Socket accepted;

        StallingUpstream() throws IOException {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            acceptor = Thread.ofVirtual().name("stalling-upstream").start(this::serve);
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            try (Socket s = server.accept()) {
                accepted = s;
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                int matched = 0;
                while (matched < 4) { // up to the blank line ending the request head
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
                }
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                while (in.read() >= 0) {
                    // holds the body until the client gives up and closes
                }
            } catch (IOException e) {
                // the test closed the server or the client went away
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            server.close();
            Socket s = accepted;
            if (s != null) {
                s.close();
            }
            acceptor.join(BOUND.toMillis());
        }
    }
}
