package io.concierge.gateway.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.DirectHandler;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Bounds how long a client may take to send its request (slowloris defence), in two parts:
 *
 * <ul>
 *   <li>a socket read timeout ({@code read-timeout}): Helidon 4.3.0 builds {@code SocketOptions}
 *       with a read timeout but never applies it to accepted sockets, so {@link #socketOptions}
 *       wraps them and sets {@code SO_TIMEOUT} itself. Any single wait for client bytes (before
 *       the first byte, inside the head, inside the body, between requests) ends after it.</li>
 *   <li>a deadline for the whole request head ({@code header-timeout}), because a client that
 *       sends one byte just inside every read timeout would otherwise never be cut. Helidon has no
 *       hook for it; {@link HeadDeadline} starts a timer when the request line has arrived and
 *       interrupts the connection's virtual thread if the headers are not complete in time, which
 *       closes the socket it is blocked on (JEP 444: socket I/O on virtual threads is
 *       interruptible).</li>
 * </ul>
 * A body that keeps arriving, however slowly, is not cut: a long upload is legitimate, and each
 * stall inside it is bounded by the read timeout.
 *
 * <p>One per server (owned by its {@link ServerRuntime}, closed with it): the deadline timer thread
 * and the count of heads cut belong to that server, so two servers in one JVM count apart and a
 * closed server leaves no timer thread behind.
 */
public final class ClientTimeouts implements AutoCloseable {
    private final ScheduledThreadPoolExecutor timer = timer();
    private final AtomicLong headsCut = new AtomicLong();
    /**
     * The head deadline running on this connection's thread: set at the request line, cleared when
     * the headers are complete or the head is refused. A thread-local, because both callbacks and
     * the refusal run on the connection's own thread.
     */
    private final ThreadLocal<Pending> pending = new ThreadLocal<>();

    /** Connections cut because their request head did not arrive within the header timeout. */
    public long headsCut() {
        return headsCut.get();
    }

    /**
     * Called when the HTTP layer refuses a request head (a bad header line, Helidon's own size
     * limit, a missing Host): the headers callback never comes then, and the deadline must neither
     * fire nor count a refused head as a slow one.
     */
    public void headRefused() {
        Pending p = pending.get();
        if (p != null) {
            pending.remove();
            p.finish();
        }
    }

    /** Socket options for accepted connections that really apply {@code readTimeout}. */
    public static SocketOptions socketOptions(Duration readTimeout) {
        SocketOptions base = SocketOptions.builder().readTimeout(readTimeout).tcpNoDelay(true).build();
        return new ReadTimeoutOptions(base);
    }

    /** The receive listener that enforces {@code headerTimeout} on every request head. */
    public Http1ConnectionListener headDeadline(Duration headerTimeout) {
        return new HeadDeadline(headerTimeout.toMillis());
    }

    /** Stops the deadline timer; pending deadlines no longer fire (their connections are closed by then). */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "concierge-head-deadline");
            th.setDaemon(true);
            return th;
        });
        // Almost every deadline is cancelled (the head arrived); keep the queue from filling with them.
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    /** Delegates everything to Helidon's options and adds the one thing it leaves out. */
    private record ReadTimeoutOptions(SocketOptions base) implements SocketOptions {
        @Override
        public void configureSocket(Socket socket) {
            base.configureSocket(socket); // TCP_NODELAY and the other options
            try {
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, base.readTimeout().toMillis())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Map<SocketOption<?>, Object> socketOptions() {
            return base.socketOptions();
        }

        @Override
        public Duration connectTimeout() {
            return base.connectTimeout();
        }

        @Override
        public Duration readTimeout() {
            return base.readTimeout();
        }

        @Override
        public Optional<Integer> socketReceiveBufferSize() {
            return base.socketReceiveBufferSize();
        }

        @Override
        public Optional<Integer> socketSendBufferSize() {
            return base.socketSendBufferSize();
        }

        @Override
        public boolean socketReuseAddress() {
            return base.socketReuseAddress();
        }

        @Override
        public boolean socketKeepAlive() {
            return base.socketKeepAlive();
        }

        @Override
        public boolean tcpNoDelay() {
            return base.tcpNoDelay();
        }
    }

    /**
     * Both callbacks run on the connection's own thread, so a thread-local carries the pending
     * deadline from the request line to the end of the headers.
     */
    private final class HeadDeadline implements Http1ConnectionListener {
        private final long millis;

        HeadDeadline(long millis) {
            this.millis = millis;
        }

        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
            Pending p = new Pending(Thread.currentThread());
            p.future = timer.schedule(p::expire, millis, TimeUnit.MILLISECONDS);
            pending.set(p);
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            Pending p = pending.get();
            if (p == null) {
                return;
            }
            pending.remove();
            if (p.finish()) {
                return;
            }
            // The timer fired just as the head completed: clear the interrupt it set and refuse
            // the request the same way, rather than leave a stray interrupt for the handler.
            Thread.interrupted();
            throw RequestException.builder()
                    .type(DirectHandler.EventType.OTHER)
                    .status(Status.REQUEST_TIMEOUT_408)
                    .setKeepAlive(false)
                    .message("request head not complete within the header timeout")
                    .build();
        }
    }

    private final class Pending {
        private final Thread thread;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ScheduledFuture<?> future;

        Pending(Thread thread) {
            this.thread = thread;
        }

        void expire() {
            if (done.compareAndSet(false, true)) {
                headsCut.incrementAndGet();
                thread.interrupt();
            }
        }

        /** True when the head made it in time; false when the deadline already fired. */
        boolean finish() {
            boolean inTime = done.compareAndSet(false, true);
            ScheduledFuture<?> f = future;
            if (inTime && f != null) {
                f.cancel(false);
            }
            return inTime;
        }
    }
}
