package io.concierge.gateway.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import io.helidon.common.socket.HelidonSocket;
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
 *   <li>a socket read timeout ({@code read-timeout}): any single wait for client bytes (before
 *       the first byte, inside the head, inside the body, between requests) ends after it.
 *       Helidon 4.3.0 builds {@code SocketOptions} with a read timeout but never applies it to
 *       accepted sockets, so {@link #socketOptions} wraps them and sets {@code SO_TIMEOUT} itself,
 *       which covers the first request line, TLS and HTTP/2. Once a plain connection is known to
 *       speak HTTP/1.x, its reads go through a {@link ReadWatch} ({@link #readWatching}) and the
 *       socket loses {@code SO_TIMEOUT}: a timed socket read on a virtual thread costs a delay-
 *       scheduler task and a thread wake-up per read, a large share of a hop's CPU (issue 19).</li>
 *   <li>a deadline for the whole request head ({@code header-timeout}), because a client that
 *       sends one byte just inside every read timeout would otherwise never be cut. Helidon has no
 *       hook for it; {@link HeadDeadline} publishes the deadline when the request line has arrived
 *       in a {@link HeadSlot} its connection owns, and one {@link HeadSweeper} per server
 *       interrupts the connection's virtual thread if the headers are not complete in time, which
 *       closes the socket it is blocked on (JEP 444: socket I/O on virtual threads is
 *       interruptible).</li>
 * </ul>
 * A body that keeps arriving, however slowly, is not cut: a long upload is legitimate, and each
 * stall inside it is bounded by the read timeout.
 *
 * <p>The head deadline costs a clock read, a volatile write and a compare-and-set per request
 * (issue 19): it used to schedule and cancel a timer task per request, whose queue operations and
 * timer-thread wake-ups showed in every profile. The price is precision: a head is cut between
 * {@code header-timeout} and {@code header-timeout} plus the sweep period
 * ({@link HeadSweeper#periodMillis}).
 *
 * <p>One per server (owned by its {@link ServerRuntime}, closed with it): the sweeper thread and
 * the count of heads cut belong to that server, so two servers in one JVM count apart and a closed
 * server leaves no sweeper thread behind.
 */
public final class ClientTimeouts implements AutoCloseable {
    private final AtomicLong headsCut = new AtomicLong();
    private final AtomicLong readsCut = new AtomicLong();
    /**
     * The head slot of this connection's thread: made when a plain connection turns out to be
     * HTTP/1.x (with its read watch), else at its first request line, and kept for its life. A thread-local, because both callbacks and the refusal run on the
     * connection's own thread (one virtual thread per connection).
     */
    private final ThreadLocal<HeadSlot> slots = new ThreadLocal<>();
    private final HeadSweeper sweeper = new HeadSweeper(headsCut, readsCut);

    /** Connections cut because their request head did not arrive within the header timeout. */
    public long headsCut() {
        return headsCut.get();
    }

    /** Plain HTTP/1.x reads cut by the sweep because no client byte came within the read timeout. */
    public long readsCut() {
        return readsCut.get();
    }

    /**
     * The read timeout of a listener's plain HTTP/1.x connections, enforced by this server's sweep
     * instead of {@code SO_TIMEOUT} (see {@link ReadWatch}).
     */
    public ReadWatching readWatching(Duration readTimeout) {
        long nanos = readTimeout.toNanos();
        sweeper.useTimeout(nanos);
        return new ReadWatching(nanos);
    }

    /**
     * Called when the HTTP layer refuses a request head (a bad header line, Helidon's own size
     * limit, a missing Host): the headers callback never comes then, and the deadline must neither
     * fire nor count a refused head as a slow one.
     */
    public void headRefused() {
        HeadSlot slot = slots.get();
        if (slot != null) {
            slot.finish();
        }
    }

    /** Socket options for accepted connections that really apply {@code readTimeout}. */
    public static SocketOptions socketOptions(Duration readTimeout) {
        SocketOptions base = SocketOptions.builder().readTimeout(readTimeout).tcpNoDelay(true).build();
        return new ReadTimeoutOptions(base);
    }

    /** The receive listener that enforces {@code headerTimeout} on every request head. */
    public Http1ConnectionListener headDeadline(Duration headerTimeout) {
        long nanos = headerTimeout.toNanos();
        sweeper.useTimeout(nanos);
        return new HeadDeadline(nanos);
    }

    /** Stops the sweeper; pending deadlines no longer fire (their connections are closed by then). */
    @Override
    public void close() {
        sweeper.close();
    }

    /** Puts connections of one listener under a {@link ReadWatch}. */
    public final class ReadWatching {
        private final long timeoutNanos;

        private ReadWatching(long timeoutNanos) {
            this.timeoutNanos = timeoutNanos;
        }

        /**
         * On the connection's thread, once it is known to speak HTTP/1.x: takes {@code socket} off
         * {@code SO_TIMEOUT} and returns the watch its reads must go through, or null when the
         * socket is out of reach (TLS, or a Helidon that hides it): it keeps {@code SO_TIMEOUT} then.
         */
        ReadWatch watch(HelidonSocket socket) {
            Socket plain = AcceptedSocket.plain(socket);
            if (plain == null) {
                return null;
            }
            ReadWatch watch = new ReadWatch(plain, sweeper, timeoutNanos);
            try {
                plain.setSoTimeout(0);
            } catch (IOException e) {
                return null;
            }
            HeadSlot slot = new HeadSlot(Thread.currentThread(), watch);
            slots.set(slot);
            sweeper.register(slot);
            return watch;
        }
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
     * Both callbacks run on the connection's own thread: the request line publishes the head's
     * deadline in the connection's slot, the end of the headers takes it back.
     */
    private final class HeadDeadline implements Http1ConnectionListener {
        private final long nanos;

        HeadDeadline(long nanos) {
            this.nanos = nanos;
        }

        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
            HeadSlot slot = slots.get();
            if (slot == null) {
                slot = new HeadSlot(Thread.currentThread());
                slots.set(slot);
                sweeper.register(slot);
            }
            slot.start(sweeper.deadline(nanos));
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            HeadSlot slot = slots.get();
            if (slot == null || slot.finish()) {
                return;
            }
            // The sweeper cut this head just as it completed: its interrupt is already set (finish
            // waited for it); clear it and refuse the request the same way, rather than leave a
            // stray interrupt for the handler.
            Thread.interrupted();
            throw RequestException.builder()
                    .type(DirectHandler.EventType.OTHER)
                    .status(Status.REQUEST_TIMEOUT_408)
                    .setKeepAlive(false)
                    .message("request head not complete within the header timeout")
                    .build();
        }
    }
}
